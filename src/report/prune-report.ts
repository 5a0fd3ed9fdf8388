/**
 * The outputs, summary and failure message of a prune, from its PruneProgress at any moment: when
 * it has run to its end, and when the step was cancelled or timed out half-way. The summary has a
 * row for every address considered: released, spared (why), failed (the error), or not tried.
 * `ips`/`count` are the addresses released (for a dry run, those that would be).
 */
import type { PruneEntry, PruneProgress } from '../engine/prune.js'
import { durationText } from '../words.js'
import { addressCell } from './cells.js'
import { changedOutput, pruneEntryChanged } from './changed.js'
import { emptyOutputs, listEntry, type OperationResult, type Outputs, type SummaryTable } from './result.js'

export interface PruneReportOptions {
  /** The step was cancelled (by this signal): a release under way has no known outcome. */
  readonly cancelled?: string
}

/** Row order: what was done first, then what went wrong, then what was left alone. */
const ORDER = ['released', 'would-release', 'unknown', 'releasing', 'failed', 'not-tried', 'pending', 'spared'] as const

const RESULT: Record<PruneEntry['state']['kind'], string> = {
  released: 'released',
  'would-release': 'would release',
  unknown: 'unknown',
  releasing: 'unknown',
  failed: 'failed',
  'not-tried': 'not tried',
  pending: 'not tried',
  spared: 'spared'
}

function reasonOf(entry: PruneEntry, progress: PruneProgress): string {
  const s = entry.state
  switch (s.kind) {
    case 'spared':
      return s.reason + idleUnknownAdvice(entry)
    case 'failed':
    case 'unknown':
      return s.error
    case 'not-tried':
      return s.why
    case 'pending':
      return progress.stopped ?? 'the step ended before it was reached'
    case 'releasing':
      return 'its release was sent, and the step ended before the answer came: look with operation: get'
    default:
      return ''
  }
}

/**
 * For an address spared because its idle time is unknown (an IPv4 with no action on record, such as
 * one reserved and never assigned): it stays spared at every run, so the row says how to decide.
 */
function idleUnknownAdvice(entry: PruneEntry): string {
  if (entry.state.kind !== 'spared' || entry.state.spare.kind !== 'idle-unknown') return ''
  const ip = entry.record.ip
  return `. It is spared at every run: release it with \`operation: delete\` and \`ip: ${ip}\`, or add it to \`keep\` to say it stays`
}

function idleOf(entry: PruneEntry): string {
  const idle = entry.idle
  if (!idle) return '-'
  if (!idle.known) return `unknown: ${idle.why}`
  return `${durationText(entry.idleMs ?? 0)} (since ${shortTimes(idle.evidence)})`
}

/** ISO times as `2026-11-24 04:56 UTC`: short enough that a narrow cell does not break them in the middle. */
const shortTimes = (text: string): string =>
  text.replace(/\b(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?Z\b/g, '$1 $2 UTC')

const byAddress = (a: PruneEntry, b: PruneEntry): number =>
  a.record.version - b.record.version || a.record.ip.localeCompare(b.record.ip, 'en', { numeric: true })

function sortedEntries(progress: PruneProgress): PruneEntry[] {
  const rank = (e: PruneEntry): number => ORDER.indexOf(e.state.kind)
  return [...progress.entries].sort((a, b) => rank(a) - rank(b) || byAddress(a, b))
}

function table(progress: PruneProgress): SummaryTable {
  const withIdle = progress.settings.unassignedForMs !== undefined
  const header = ['Address', 'Region', 'Result', 'Reason', ...(withIdle ? ['Idle'] : [])]
  const rows = sortedEntries(progress).map((e) => [
    addressCell(e.record.ip),
    e.record.region,
    RESULT[e.state.kind],
    reasonOf(e, progress),
    ...(withIdle ? [idleOf(e)] : [])
  ])
  return { header, rows }
}

const ofKind = (progress: PruneProgress, ...kinds: PruneEntry['state']['kind'][]): PruneEntry[] =>
  sortedEntries(progress).filter((e) => kinds.includes(e.state.kind))

const ipsOf = (entries: readonly PruneEntry[]): string => entries.map((e) => e.record.ip).join(', ')

function outputsOf(progress: PruneProgress): Outputs {
  const outputs = emptyOutputs()
  const listed = ofKind(progress, 'released', 'would-release').map((e) => listEntry(e.record))
  outputs.ips = JSON.stringify(listed)
  outputs.count = String(listed.length)
  // A release whose outcome is unknown may have gone through: a later step must not take it as kept.
  outputs.changed = changedOutput(progress.entries.map(pruneEntryChanged))
  return outputs
}

/**
 * The failed addresses with their reasons, each reason said once: `A, B, C (each: why); D (why)`.
 * A repeated failure (every release answered 500, a scope the token lacks) is one sentence, not one per address.
 */
function failuresOf(failed: readonly PruneEntry[], progress: PruneProgress): string {
  const byReason = new Map<string, string[]>()
  for (const e of failed) {
    const reason = reasonOf(e, progress)
    byReason.set(reason, [...(byReason.get(reason) ?? []), e.record.ip])
  }
  const groups = [...byReason].map(([reason, ips]) => `${ips.join(', ')} (${ips.length > 1 ? 'each: ' : ''}${reason})`)
  return groups.join('; ')
}

/** The step's failure message, or undefined when everything considered was released or spared. */
function errorOf(progress: PruneProgress, options: PruneReportOptions): string | undefined {
  const parts: string[] = []
  if (options.cancelled) parts.push(`Cancelled (${options.cancelled}) before the prune had finished`)
  if (progress.error) parts.push(progress.error)
  const failed = ofKind(progress, 'failed')
  if (failed.length > 0) parts.push(`${failed.length} could not be released: ${failuresOf(failed, progress)}`)
  const unknown = ofKind(progress, 'unknown', 'releasing')
  if (unknown.length > 0) parts.push(`whether ${ipsOf(unknown)} was released is unknown: look with operation: get`)
  const notTried = ofKind(progress, 'not-tried', 'pending')
  if (notTried.length > 0 && !progress.error) {
    parts.push(`${notTried.length} not tried (${progress.stopped ?? 'not reached'}): ${ipsOf(notTried)}`)
  }
  if (parts.length === 0) return undefined
  const released = ofKind(progress, 'released').length
  return `${parts.map((p) => p.replace(/\.$/, '')).join('. ')}. Released ${released} of ${progress.entries.length} considered${released ? `: ${ipsOf(ofKind(progress, 'released'))}` : ''}.`
}

function titleOf(progress: PruneProgress, options: PruneReportOptions, failed: boolean): string {
  const { dryRun } = progress.settings
  const count = ofKind(progress, dryRun ? 'would-release' : 'released').length
  const how = options.cancelled ? ' cancelled' : failed ? ' failed' : ''
  return `Reserved IP cleanup${dryRun ? ' (dry run)' : ''}${how}: ${dryRun ? 'would release' : 'released'} ${count}`
}

function notesOf(progress: PruneProgress, options: PruneReportOptions): string[] {
  const notes: string[] = []
  if (progress.settings.dryRun) notes.push('Dry run: nothing was released.')
  for (const w of progress.warnings) notes.push(`**Warning:** ${w}`)
  if (progress.phase === 'listing') notes.push('The addresses had not all been listed yet: nothing was released.')
  if (progress.assigned > 0) notes.push(`${progress.assigned} assigned to a droplet: not considered.`)
  if (options.cancelled) notes.push(`Cancelled (${options.cancelled}): no request was started after it.`)
  return notes
}

export function pruneReport(progress: PruneProgress, options: PruneReportOptions = {}): OperationResult {
  const error = errorOf(progress, options)
  const notes = notesOf(progress, options)
  return {
    outputs: outputsOf(progress),
    error,
    summary: {
      title: titleOf(progress, options, error !== undefined),
      tables: progress.entries.length > 0 ? [table(progress)] : [],
      notes: error ? [...notes, `**Failed:** ${error}`] : notes
    }
  }
}
