/** The outputs, summary and failure message of a cutover (assign or unassign of one or more addresses). */
import type { IpRecord } from '../do/ips.js'
import type { Address } from '../inputs/address.js'
import type { AddressResult, CutoverResult } from '../engine/cutover-result.js'
import type { ActionStatus, MoveOutcome } from '../engine/outcome.js'
import type { ProbeResult } from '../engine/verify.js'
import { dropletLabel, where } from '../words.js'
import { cancelledNote, emptyOutputs, ipOutputs, timeTaken, type OperationResult, type Outputs } from './result.js'
import { addressCell, dropletCell, type Cell } from './cells.js'
import { movesJson } from '../inputs/moves.js'
import { changedOutput, moveChanged } from './changed.js'

/**
 * The address as it stands at the end, from the last read made: after the roll-back, after
 * verification, after the move, else as first read. undefined: that read failed (unknown).
 */
function nowOf(a: AddressResult): IpRecord | undefined {
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

/** A change this step sent took effect or may have ('unknown' counts: moving an address already home is harmless). */

const changedAny = (a: AddressResult): boolean => moveChanged(a.move) || moveChanged(a.back)

/** The droplet the cutover moves to (null: none). */
const targetOf = (result: CutoverResult): number | null => result.plan.target?.id ?? null

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
  outputs.changed = changedOutput(addresses.map(changedAny))
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
  const away = result.addresses.filter((a) => moveChanged(a.move) && !backHome(a))
  const to = targetOf(result)
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

const dropletOf = (ip: IpRecord | undefined): Cell => dropletCell(ip?.dropletId, ip?.dropletName)

function statusText(a: AddressResult): string {
  // Its action had not ended: nothing was sent to move it back.
  if (a.back && !a.back.sent && a.move?.actionStatus === 'in-progress') return 'in-progress, not moved back'
  if (a.back) return a.backError || a.back.error ? 'roll-back failed' : 'rolled back'
  if (a.backError) return 'roll-back failed'
  if (a.error !== undefined || !a.move) return 'not moved'
  if (a.move.actionStatus === '') return a.move.changed === 'no' ? 'no change' : a.move.error ? 'unknown' : 'completed'
  return a.move.actionStatus
}

/** The status, then the actions this step started on the address. */
function resultText(a: AddressResult): string {
  const ids = [a.move?.actionId, a.back?.actionId].filter((id) => id !== undefined)
  if (ids.length === 0) return statusText(a)
  return `${statusText(a)} (action${ids.length > 1 ? 's' : ''} ${ids.join(', ')})`
}

/** A check in a word or two: `verified`, `verify failed`, `prechecked`, `precheck failed`. */
const checkText = (what: 'precheck' | 'verify', p: ProbeResult | undefined, heldMs = 0): string[] => {
  if (!p) return []
  if (p.cancelled) return [`${what} not finished`]
  if (!p.passed) return [`${what} failed`]
  const passed = what === 'verify' ? 'verified' : 'prechecked'
  return [heldMs > 0 ? `${passed}, held ${heldMs / 1000} s` : passed]
}

/** A Checks column (precheck and verification, in a word each; the details below the table) when any ran. */
const checked = (result: CutoverResult): boolean =>
  result.addresses.some((a) => a.precheck !== undefined || a.probe !== undefined)

const regionOf = (a: AddressResult): string => nowOf(a)?.region ?? beforeOf(a)?.region ?? ''

/**
 * A row per address; the droplet they were to go to and their region are in the title, the same
 * for all (a region of its own beside an address that differs).
 */
function rowOf(result: CutoverResult, a: AddressResult): Cell[] {
  const held = result.plan.verify?.forMs
  const checks = [...checkText('precheck', a.precheck), ...checkText('verify', a.probe, held)]
  const region = common(result.addresses.map(regionOf)) === '' && regionOf(a) ? `(${regionOf(a)})` : undefined
  return [
    addressCell(a.addr.text, region),
    dropletOf(beforeOf(a)),
    dropletOf(nowOf(a)),
    resultText(a),
    ...(checked(result) ? [checks.join(', ') || '-'] : [])
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
  if (read.record.dropletId === targetOf(result)) return undefined
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

/** A sentence without its full stop, to go on in a list (no "..": "GET /v2/actions/1.. Now:"). */
export const withoutStop = (text: string): string => text.replace(/\.+$/, '')

/** What a failed cutover says: what went wrong (each address's trouble), then where every address is now. */
interface Failure {
  readonly troubles: readonly string[]
  readonly now: string
}

function failureParts(result: CutoverResult): Failure | undefined {
  if (result.refused) return { troubles: [result.refused], now: '' }
  const troubles = result.addresses.flatMap((a) => troublesOf(result, a)).map(withoutStop)
  if (troubles.length === 0 && !result.cancelled) return undefined
  const now = result.addresses.map((a) => `${a.addr.text} is ${where(nowOf(a))}`).join(', ')
  const undone = result.rolledBack ? 'Rolled back:' : 'Now:'
  const head = result.cancelled ? [cancelledMessage(result, result.cancelled)] : troubles.map((t) => `${t}.`)
  return { troubles: head, now: `${undone} ${now}.${unknownAdvice(result)}` }
}

/** The step's failure message: one line for the log and the annotation. */
function failureText(failure: Failure | undefined): string | undefined {
  if (!failure) return undefined
  const troubles =
    failure.troubles.length > 1 ? `${failure.troubles.map(withoutStop).join('; ')}.` : failure.troubles[0]
  return [troubles, failure.now].filter((t) => t !== '').join(' ')
}

/** The failure in the summary: the troubles one to a line (a list when there are several), then where each address is. */
function failureNotes(result: CutoverResult, failure: Failure | undefined): string[] {
  if (!failure) return []
  const label = '**Failed:**'
  const troubles = result.cancelled
    ? failure.troubles.map(cancelledNote)
    : failure.troubles.length === 1
      ? [`${label} ${failure.troubles[0]}`]
      : [label, ...failure.troubles.map((t) => `- ${t}`)]
  return failure.now ? [...troubles, failure.now] : troubles
}

/** How to undo what a cutover moved, or may have moved: the rollback operation with its moves output. */
export const ROLL_BACK_NOTE =
  "Roll back with `operation: rollback` and `moves: ${{ steps.<id>.outputs.moves }}` (this step's `moves` output): each address goes back only while it is still on the droplet this step moved it to, after any action of this step still under way on it."

/** Offered when an address is away from home, or an action of this step may still move it. */
function rollBackNote(result: CutoverResult): string | undefined {
  const mayMove = (a: AddressResult): boolean => a.move?.actionStatus === 'in-progress'
  return result.addresses.some((a) => changedAny(a) && (!isHome(a) || mayMove(a))) ? ROLL_BACK_NOTE : undefined
}

const isHome = (a: AddressResult): boolean => {
  const now = nowOf(a)
  return now !== undefined && now.dropletId === (a.move?.before?.dropletId ?? null)
}

function notesOf(result: CutoverResult, failure: Failure | undefined): string[] {
  const notes = failureNotes(result, failure)
  const { addresses } = result
  if (addresses.every((a) => a.move && !a.move.sent && a.move.changed === 'no' && !a.move.error)) {
    notes.push('Every address was already where it was to go; no request that changes anything was sent.')
  }
  if (!result.plan.wait && addresses.some((a) => a.move?.actionStatus === 'in-progress')) {
    notes.push('wait: false: the actions were started and not waited for.')
  }
  const rollBack = rollBackNote(result)
  if (rollBack) notes.push(rollBack)
  notes.push(timeTaken(result))
  return notes
}

function outcomeOf(result: CutoverResult, error: string | undefined): string {
  if (result.refused) return ' refused'
  if (result.cancelled) return ' cancelled'
  if (result.rolledBack) return ' rolled back'
  if (error) return ' failed'
  if (result.addresses.every((a) => !changedAny(a))) return ' (no change)'
  return result.verified ? ' (verified)' : ''
}

/** What happened, the addresses, and the droplet they were to go to (the table's rows share it). */
function titleOf(result: CutoverResult, error: string | undefined): string {
  const target = result.plan.target
  const ips = result.addresses.map((a) => a.addr.text).join(', ')
  const to = target ? ` to droplet ${dropletLabel(target.id, target.name)}` : ''
  const region = common(result.addresses.map(regionOf))
  return `Reserved IP ${target ? 'cutover' : 'unassign'}${outcomeOf(result, error)}: ${ips}${to}${region ? ` in ${region}` : ''}`
}

export function cutoverReport(result: CutoverResult): OperationResult {
  const failure = failureParts(result)
  const error = failureText(failure)
  return {
    outputs: outputsOf(result),
    error,
    summary: {
      title: titleOf(result, error),
      tables: [
        {
          header: ['Address', 'From', 'Now on', 'Result', ...(checked(result) ? ['Checks'] : [])],
          rows: result.addresses.map((a) => rowOf(result, a))
        }
      ],
      notes: notesOf(result, failure)
    }
  }
}

/** The README section that shows how a droplet configures a reserved IPv6. */
export const IPV6_SECTION = "README, 'Reserved IPv6 on the droplet'"

/**
 * For a reserved IPv6 whose probes never got an answer from its new holder (none connected, or none
 * was answered, or only the first few, while routing switched over: see ProbeResult's `answered`):
 * the likely cause, said so. '' otherwise.
 */
function unansweredIpv6Hint(addr: Address, probe: ProbeResult): string {
  if (addr.version !== 6 || probe.passed || probe.answered || probe.probes === 0) return ''
  const early = (probe.unansweredFrom ?? 1) - 1
  const after =
    early === 0
      ? ''
      : ` after the first${early === 1 ? ', which' : ` ${early}, which`} came while routing switched over (likely from the droplet it left)`
  return ` - no probe of ${addr.text} got an answer${after}: DigitalOcean routes a reserved IPv6 to the droplet, but the droplet must add it to its own network interface (see ${IPV6_SECTION})`
}
