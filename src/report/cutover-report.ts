/** The outputs, summary and failure message of a cutover (assign or unassign of one or more addresses). */
import type { IpRecord } from '../do/ips.js'
import { moved, targetId, type AddressResult, type CutoverResult } from '../engine/cutover-result.js'
import { secs } from '../transport/http.js'
import { reportsChanged, where, type ActionStatus, type MoveOutcome } from '../engine/outcome.js'
import { unansweredIpv6Hint } from '../engine/verify.js'
import { dropletLabel, emptyOutputs, ipOutputs, type OperationResult, type Outputs } from './result.js'
import { movesJson } from '../inputs/moves.js'

/**
 * The address as it stands at the end, from the last read made: after the roll-back, after
 * verification, after the move, else as first read. undefined: that read failed (unknown).
 */
export function nowOf(a: AddressResult): IpRecord | undefined {
  if (a.back) return a.back.final
  if (a.confirm) return a.confirm.record
  if (a.move) return a.move.final
  return a.read
}

const beforeOf = (a: AddressResult): IpRecord | undefined => a.move?.before ?? a.read

export const idText = (id: number | null | undefined): string => (id === null || id === undefined ? '' : String(id))

/** The one value all addresses share, or '' where they differ. */
export function common(values: readonly string[]): string {
  return values.length > 0 && values.every((v) => v === values[0]) ? values[0] : ''
}

const SEVERITY: Record<ActionStatus, number> = { errored: 3, 'in-progress': 2, completed: 1, '': 0 }

export function worst(statuses: readonly ActionStatus[]): ActionStatus {
  return statuses.reduce<ActionStatus>((w, s) => (SEVERITY[s] > SEVERITY[w] ? s : w), '')
}

/** The action the outputs name: the roll-back's while it is still under way, else the move's. */
const namedAction = (a: AddressResult): MoveOutcome | undefined =>
  a.back?.actionStatus === 'in-progress' ? a.back : a.move

const changedAny = (a: AddressResult): boolean => moved(a) || (a.back !== undefined && reportsChanged(a.back.changed))

function outputsOf(result: CutoverResult): Outputs {
  const { addresses } = result
  const first = addresses[0]
  const outputs: Outputs = { ...emptyOutputs(), ip: first.addr.text, ip_version: String(first.addr.version) }
  const firstNow = nowOf(first)
  if (firstNow) Object.assign(outputs, ipOutputs(firstNow))
  else outputs.region = beforeOf(first)?.region ?? ''
  outputs.droplet_id = common(addresses.map((a) => idText(nowOf(a)?.dropletId)))
  outputs.previous_droplet_id = common(addresses.map((a) => idText(beforeOf(a)?.dropletId)))
  outputs.action_id = idText(namedAction(first)?.actionId)
  outputs.action_status = worst(addresses.map((a) => namedAction(a)?.actionStatus ?? ''))
  outputs.changed = String(addresses.some(changedAny))
  outputs.verified = result.verified === undefined ? '' : String(result.verified)
  outputs.rolled_back = String(result.rolledBack)
  outputs.moves = movesOf(result)
  if (addresses.length > 1) {
    outputs.ips = JSON.stringify(addresses.map(entryOf))
    outputs.count = String(addresses.length)
  }
  return outputs
}

/**
 * The moves output: each address this step moved or may have moved (an unknown outcome counts),
 * from where it was to the target; after a roll-back, only those not known to be home.
 */
function movesOf(result: CutoverResult): string {
  const away = result.addresses.filter((a) => moved(a) && !backHome(a))
  const to = targetId(result.plan)
  return movesJson(away.map((a) => ({ addr: a.addr, from: beforeOf(a)?.dropletId ?? null, to })))
}

/** The roll-back brought it home, and nothing of this step's may still move it. */
const backHome = (a: AddressResult): boolean =>
  a.back !== undefined && a.backError === undefined && a.back.error === undefined && isHome(a)

function entryOf(a: AddressResult): Record<string, unknown> {
  const now = nowOf(a)
  return {
    ip: a.addr.text,
    ip_version: a.addr.version,
    region: now?.region ?? beforeOf(a)?.region ?? '',
    droplet_id: now?.dropletId ?? null,
    previous_droplet_id: beforeOf(a)?.dropletId ?? null,
    action_id: namedAction(a)?.actionId ?? null,
    action_status: namedAction(a)?.actionStatus ?? '',
    changed: changedAny(a)
  }
}

const label = (ip: IpRecord | undefined): string => (ip ? dropletLabel(ip.dropletId, ip.dropletName) : 'unknown')

function statusText(a: AddressResult): string {
  if (a.back) return a.backError || a.back.error ? 'roll-back failed' : 'rolled back'
  if (a.backError) return 'roll-back failed'
  if (a.error !== undefined || !a.move) return 'not moved'
  if (a.move.actionStatus === '') return a.move.changed === 'no' ? 'no change' : a.move.error ? 'unknown' : 'completed'
  return a.move.actionStatus
}

function actionText(a: AddressResult): string {
  const ids = [a.move?.actionId, a.back?.actionId].filter((id) => id !== undefined)
  return ids.length > 0 ? ids.join(', then ') : '-'
}

const probeText = (p: AddressResult['probe']): string => (p ? `${p.passed ? 'passed' : 'failed'}: ${p.last}` : '-')

/** A Precheck column, before Probe, when the cutover ran one. */
const prechecked = (result: CutoverResult): boolean => result.addresses.some((a) => a.precheck !== undefined)

function rowOf(result: CutoverResult, a: AddressResult): string[] {
  const target = result.plan.target
  return [
    a.addr.text,
    label(beforeOf(a)),
    target ? dropletLabel(target.id, target.name) : 'none',
    label(nowOf(a)),
    nowOf(a)?.region ?? beforeOf(a)?.region ?? '',
    actionText(a),
    statusText(a),
    ...(prechecked(result) ? [probeText(a.precheck)] : []),
    probeText(a.probe)
  ]
}

/** What went wrong with one address. */
function troublesOf(result: CutoverResult, a: AddressResult): string[] {
  const troubles: string[] = []
  if (a.error !== undefined) troubles.push(a.error)
  else if (a.move?.error) troubles.push(a.move.error)
  if (a.probe && !a.probe.passed)
    troubles.push(
      `verification of ${a.addr.text} failed: ${a.probe.last} (${a.probe.url})${unansweredIpv6Hint(a.addr, a.probe)}`
    )
  const confirmTrouble = a.confirm ? confirmProblem(result, a) : undefined
  if (confirmTrouble) troubles.push(confirmTrouble)
  if (a.backError) troubles.push(`moving ${a.addr.text} back failed: ${a.backError}`)
  return troubles
}

/** After verification passed, the address must still be on the target. */
function confirmProblem(result: CutoverResult, a: AddressResult): string | undefined {
  const read = a.confirm
  if (!read) return undefined
  if (!read.record) return `${a.addr.text} could not be read after verification passed (${read.error ?? ''})`
  if (read.record.dropletId === targetId(result.plan)) return undefined
  return `${a.addr.text} is now ${where(read.record)}: another change took it after verification passed`
}

/** The actions started by this step that had not ended. */
function underWay(result: CutoverResult): string[] {
  return result.addresses.flatMap((a) =>
    [a.move, a.back]
      .filter((m) => m?.actionStatus === 'in-progress' && m.actionId !== undefined)
      .map((m) => `action ${m?.actionId} on ${a.addr.text}`)
  )
}

function unknownAdvice(result: CutoverResult): string {
  const unknown = result.addresses.filter((a) => nowOf(a) === undefined && (a.move?.sent || a.back?.sent))
  if (unknown.length === 0) return ''
  return ` ${unknown.map((a) => a.addr.text).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} in an unknown state: look with operation: get.`
}

function cancelledMessage(result: CutoverResult, cause: string): string {
  const going = underWay(result)
  const still = going.length
    ? ` Still in progress and may still complete: ${going.join(', ')}. Look each up with GET /v2/actions/{id}.`
    : ''
  return `Cancelled (${cause}); nothing more was sent.${still}`
}

/** Each address's trouble, and where every address is now. */
function failureOf(result: CutoverResult): string | undefined {
  if (result.refused) return result.refused
  const troubles = result.addresses.flatMap((a) => troublesOf(result, a))
  if (troubles.length === 0 && !result.cancelled) return undefined
  const now = result.addresses.map((a) => `${a.addr.text} is ${where(nowOf(a))}`).join(', ')
  const undone = result.rolledBack ? ' Rolled back:' : ' Now:'
  const head = result.cancelled ? `${cancelledMessage(result, result.cancelled)} ` : ''
  const body = troubles.length > 0 && !result.cancelled ? `${troubles.join('; ').replace(/\.$/, '')}.` : ''
  return `${head}${body}${undone} ${now}.${unknownAdvice(result)}`.replace(/^ +/, '')
}

function rollBackNote(result: CutoverResult): string | undefined {
  const movedAway = result.addresses.filter((a) => changedAny(a) && !isHome(a))
  if (movedAway.length === 0) return undefined
  const previous = common(movedAway.map((a) => idText(a.move?.before?.dropletId)))
  const guard = `\`expected_droplet_id: ${idText(targetId(result.plan)) || 'none'}\``
  if (previous !== '') {
    return `Roll back with \`operation: assign\`, \`droplet_id: ${previous}\` (the \`previous_droplet_id\` output) and ${guard}, so that only an address still on the droplet this step moved it to goes back; or with \`operation: rollback\` and this step's \`moves\` output.`
  }
  if (movedAway.every((a) => a.move?.before?.dropletId === null)) {
    return `Roll back with \`operation: unassign\` and ${guard}: the address was assigned to no droplet before.`
  }
  return undefined
}

const isHome = (a: AddressResult): boolean => {
  const now = nowOf(a)
  return now !== undefined && now.dropletId === (a.move?.before?.dropletId ?? null)
}

function notesOf(result: CutoverResult, error: string | undefined): string[] {
  const notes: string[] = []
  if (error) notes.push(`**${result.cancelled ? 'Cancelled' : 'Failed'}:** ${error}`)
  const { addresses } = result
  if (addresses.every((a) => a.move && !a.move.sent && a.move.changed === 'no' && !a.move.error)) {
    notes.push('Every address was already where it was to go; no request that changes anything was sent.')
  }
  if (!result.plan.wait && addresses.some((a) => a.move?.actionStatus === 'in-progress')) {
    notes.push('wait: false: the actions were started and not waited for.')
  }
  const rollBack = rollBackNote(result)
  if (rollBack) notes.push(rollBack)
  notes.push(`Time taken: ${secs(result.finishedAt - result.startedAt)}.`)
  return notes
}

function titleOf(result: CutoverResult, error: string | undefined): string {
  const op = result.plan.target ? 'cutover' : 'unassign'
  const ips = result.addresses.map((a) => a.addr.text).join(', ')
  if (result.refused) return `Reserved IP ${op} refused: ${ips}`
  if (result.cancelled) return `Reserved IP ${op} cancelled: ${ips}`
  if (result.rolledBack) return `Reserved IP ${op} rolled back: ${ips}`
  if (error) return `Reserved IP ${op} failed: ${ips}`
  if (result.addresses.every((a) => !changedAny(a))) return `Reserved IP ${op} (no change): ${ips}`
  return `Reserved IP ${op}${result.verified ? ' (verified)' : ''}: ${ips}`
}

export function cutoverReport(result: CutoverResult): OperationResult {
  const error = failureOf(result)
  return {
    outputs: outputsOf(result),
    error,
    summary: {
      title: titleOf(result, error),
      tables: [
        {
          header: [
            ...['IP', 'From droplet', 'To droplet', 'Now on', 'Region', 'Action', 'Status'],
            ...(prechecked(result) ? ['Precheck'] : []),
            'Probe'
          ],
          rows: result.addresses.map((a) => rowOf(result, a))
        }
      ],
      notes: notesOf(result, error)
    }
  }
}
