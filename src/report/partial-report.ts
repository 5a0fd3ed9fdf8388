/**
 * The report of a step that was cancelled and whose operation did not return in time: what the
 * journal holds. A prune's progress when the step is a prune; else each
 * address the step may have changed, with where it was before, its actions and those still under
 * way; or the address a create reserved.
 */
import type { AddressEntry, Journal, Reserved } from '../engine/journal.js'
import { dropletLabel, where } from '../words.js'
import { emptyOutputs, ipOutputs, MOVING, type OperationResult, type Outputs, cancelledNote } from './result.js'
import { movesJson } from '../inputs/moves.js'
import { common, idText, ROLL_BACK_NOTE } from './cutover-report.js'
import { pruneReport } from './prune-report.js'
import { changedOutput, recordedChange } from './changed.js'

export function partialReport(journal: Journal, cause: string, ips: readonly string[] = []): OperationResult {
  if (journal.prune) return pruneReport(journal.prune, { cancelled: cause })
  if (journal.reserved) return reservedReport(journal.reserved, cause)
  if (journal.creating) return sentReport(journal, cause, creatingText(journal.creating))
  if (journal.releases.length > 0) return sentReport(journal, cause, releasesText(journal))
  return movesReport(journal, cause, ips)
}

const creatingText = (what: string): string =>
  `The request to reserve ${what} had been sent and its answer had not come: an address may have been reserved (and billed). Find it with operation: list, and release it with operation: delete if it is not wanted.`

function releasesText(journal: Journal): string {
  const ips = journal.releases.map((r) => r.ip).join(', ')
  return `The release of ${ips} had been sent and its answer had not come: it may have been released. Look with operation: get (a 404 means it is gone).`
}

/** A create or a release was sent and the step stopped before its answer: changed, the outcome unknown. */
function sentReport(journal: Journal, cause: string, text: string): OperationResult {
  const first = journal.releases[0]
  const outputs = {
    ...emptyOutputs(),
    ...(first ? { ip: first.ip, ip_version: String(first.version) } : {}),
    changed: 'true'
  }
  const error = `${head(cause)} ${text}`
  return {
    outputs,
    error,
    summary: {
      title: `Reserved IP ${journal.operation || 'step'} cancelled`,
      tables: [],
      notes: [cancelledNote(error)]
    }
  }
}

const head = (cause: string): string => `Cancelled (${cause}); nothing more was sent.`

function stillGoing(entries: readonly AddressEntry[]): string {
  const going = entries.flatMap((e) => e.underWay.map((id) => `action ${id} on ${e.addr.text}`))
  return going.length
    ? ` Still in progress and may still complete: ${going.join(', ')}. Look each up with GET /v2/actions/{id}.`
    : ''
}

const statusOf = (e: AddressEntry): string =>
  e.underWay.length > 0 ? 'in-progress' : (e.lastEnded ?? (e.actions.length > 0 ? 'in-progress' : ''))

function movesReport(journal: Journal, cause: string, ips: readonly string[]): OperationResult {
  const entries = journal.addresses
  const given = ips.length > 0 ? ips : entries.map((e) => e.addr.text)
  const outputs = movesOutputs(journal, given)
  const moved = entries.map(
    (e) =>
      `${e.addr.text} from ${where(e.before)}: now ${e.last ? where(e.last) : 'unknown (read it with operation: get)'}`
  )
  const what = moved.length
    ? ` Sent changes to: ${moved.join('; ')}.`
    : ' No request that changes anything had been sent.'
  const error = `${head(cause)}${stillGoing(entries)}${what}`
  return {
    outputs,
    error,
    summary: {
      title: `Reserved IP ${journal.operation || 'step'} cancelled${given.length ? `: ${given.join(', ')}` : ''}`,
      tables: [
        {
          header: ['IP', 'From droplet', 'To droplet', 'Now on', 'Action', 'Status'],
          rows: entries.map((e) => [
            e.addr.text,
            e.before ? dropletLabel(e.before.dropletId, e.before.dropletName) : 'unknown',
            e.target === undefined ? '-' : dropletLabel(e.target),
            e.last ? dropletLabel(e.last.dropletId, e.last.dropletName) : 'unknown',
            e.actions.join(', ') || '-',
            statusOf(e) || '-'
          ])
        }
      ],
      notes: [cancelledNote(error), ...rollBackNote(entries)]
    }
  }
}

/** The outputs of a cancelled move, from the journal: each address as last read after its change request. */
function movesOutputs(journal: Journal, given: readonly string[]): Outputs {
  const entries = journal.addresses
  const byIp = new Map(entries.map((e) => [e.addr.text, e]))
  const outputs = emptyOutputs()
  outputs.ip = given[0] ?? ''
  const first = given[0] === undefined ? undefined : byIp.get(given[0])
  if (first?.last) Object.assign(outputs, ipOutputs(first.last))
  outputs.droplet_id = common(given.map((ip) => idText(byIp.get(ip)?.last?.dropletId)))
  outputs.previous_droplet_id = common(given.map((ip) => idText(byIp.get(ip)?.before?.dropletId)))
  // The action still under way (a roll-back's, say) is the one a workflow must look up.
  outputs.action_id = idText(first ? (first.underWay.at(-1) ?? first.actions.at(-1)) : undefined)
  outputs.action_status = entries.some((e) => e.underWay.length > 0) ? 'in-progress' : first ? statusOf(first) : ''
  outputs.changed = changedOutput(entries.map(recordedChange))
  if (MOVING.has(journal.operation)) outputs.moves = movesOf(entries)
  if (given.length > 1) setEntries(outputs, given, byIp)
  return outputs
}

/**
 * What the step moved or may have moved, from where it was to where it was sent: every address with
 * a change request on record, except one a roll-back has brought home with nothing still under way.
 */
function movesOf(entries: readonly AddressEntry[]): string {
  const home = (e: AddressEntry): boolean =>
    e.rollingBack &&
    e.underWay.length === 0 &&
    e.last !== undefined &&
    e.last.dropletId === (e.before?.dropletId ?? null)
  const away = entries.filter((e) => e.target !== undefined && !home(e))
  return movesJson(away.map((e) => ({ addr: e.addr, from: e.before?.dropletId ?? null, to: e.target ?? null })))
}

function setEntries(outputs: Outputs, given: readonly string[], byIp: ReadonlyMap<string, AddressEntry>): void {
  outputs.ips = JSON.stringify(
    given.map((ip) => {
      const e = byIp.get(ip)
      return {
        ip,
        ip_version: e?.addr.version ?? (ip.includes(':') ? 6 : 4),
        region: e?.last?.region ?? e?.before?.region ?? '',
        droplet_id: e?.last?.dropletId ?? null,
        previous_droplet_id: e?.before?.dropletId ?? null,
        action_id: e ? (e.underWay.at(-1) ?? e.actions.at(-1) ?? null) : null,
        action_status: e ? statusOf(e) : '',
        changed: recordedChange(e)
      }
    })
  )
  outputs.count = String(given.length)
}

function rollBackNote(entries: readonly AddressEntry[]): string[] {
  return entries.some((e) => e.target !== undefined) ? [ROLL_BACK_NOTE] : []
}

function reservedReport(reserved: Reserved, cause: string): OperationResult {
  const ip = reserved.record.ip
  const outputs = { ...emptyOutputs(), ...ipOutputs(reserved.record), changed: 'true' }
  if (reserved.actionId !== undefined)
    Object.assign(outputs, { action_id: String(reserved.actionId), action_status: 'in-progress' })
  const action =
    reserved.actionId === undefined
      ? ''
      : ` Action ${reserved.actionId} assigning it may still complete: look it up with GET /v2/actions/${reserved.actionId}.`
  const error = `${head(cause)} ${ip} was reserved and stays reserved (and billed): assign it, or release it with operation: delete and ip: ${ip}.${action}`
  return {
    outputs,
    error,
    summary: {
      title: `Reserved IP create cancelled: ${ip}`,
      tables: [
        {
          header: ['IP', 'Version', 'Region', 'Action'],
          rows: [[ip, `IPv${reserved.record.version}`, reserved.record.region, idText(reserved.actionId) || '-']]
        }
      ],
      notes: [cancelledNote(error)]
    }
  }
}
