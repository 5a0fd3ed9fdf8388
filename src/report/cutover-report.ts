/** The outputs, summary and failure message of a cutover (assign or unassign of one or more addresses). */
import type { Address } from '../inputs/address.js'
import type { IpRecord } from '../do/ips.js'
import { moved, type AddressResult, type CutoverResult } from '../engine/cutover.js'
import { secs } from '../transport/http.js'
import { unansweredIpv6Hint } from '../engine/verify.js' // issue 19
import type { ActionStatus } from '../engine/move.js'
import { dropletLabel, emptyOutputs, ipOutputs, type OperationResult, type Outputs } from './result.js'

/** The IP as it stands at the end: after the rollback, else after the move, else as first read. */
const finalOf = (a: AddressResult): IpRecord | undefined => {
  const last = a.back?.final ?? a.move?.final
  return last && last.raw !== null ? last : (a.read ?? last)
}
const beforeOf = (a: AddressResult): IpRecord | undefined => a.move?.before ?? a.read

const idText = (id: number | null | undefined): string => (id === null || id === undefined ? '' : String(id))

/** The one value all addresses share, or '' where they differ. */
function common(values: readonly string[]): string {
  return values.length > 0 && values.every((v) => v === values[0]) ? values[0] : ''
}

const SEVERITY: Record<ActionStatus, number> = { errored: 3, 'in-progress': 2, completed: 1, '': 0 }

function worst(statuses: readonly ActionStatus[]): ActionStatus {
  return statuses.reduce<ActionStatus>((w, s) => (SEVERITY[s] > SEVERITY[w] ? s : w), '')
}

const changedAny = (a: AddressResult): boolean => moved(a) || a.back?.changed === true

function outputsOf(result: CutoverResult): Outputs {
  const { addresses } = result
  const first = addresses[0]
  const firstFinal = finalOf(first)
  const outputs: Outputs = { ...emptyOutputs(), ip: first.addr.text, ip_version: String(first.addr.version) }
  if (firstFinal) Object.assign(outputs, ipOutputs(firstFinal))
  outputs.droplet_id = common(addresses.map((a) => idText(finalOf(a)?.dropletId)))
  outputs.previous_droplet_id = common(addresses.map((a) => idText(beforeOf(a)?.dropletId)))
  outputs.action_id = idText(first.move?.actionId)
  outputs.action_status = worst(addresses.map((a) => a.move?.actionStatus ?? ''))
  outputs.changed = String(addresses.some(changedAny))
  outputs.verified = result.verified === undefined ? '' : String(result.verified)
  outputs.rolled_back = String(result.rolledBack)
  if (addresses.length > 1) {
    outputs.ips = JSON.stringify(addresses.map(entryOf))
    outputs.count = String(addresses.length)
  }
  return outputs
}

function entryOf(a: AddressResult): Record<string, unknown> {
  const final = finalOf(a)
  return {
    ip: a.addr.text,
    ip_version: a.addr.version,
    region: final?.region ?? '',
    droplet_id: final?.dropletId ?? null,
    previous_droplet_id: beforeOf(a)?.dropletId ?? null,
    action_id: a.move?.actionId ?? null,
    action_status: a.move?.actionStatus ?? '',
    changed: changedAny(a)
  }
}

const label = (ip: IpRecord | undefined): string => (ip ? dropletLabel(ip.dropletId, ip.dropletName) : 'unknown')

function statusText(a: AddressResult): string {
  if (a.back) return a.back.error ? 'roll-back failed' : 'rolled back'
  if (a.backError) return 'roll-back failed'
  if (a.error !== undefined || !a.move) return 'not moved'
  if (a.move.actionStatus === '') return a.move.changed ? 'completed' : 'no change'
  return a.move.actionStatus
}

function actionText(a: AddressResult): string {
  const ids = [a.move?.actionId, a.back?.actionId].filter((id) => id !== undefined)
  return ids.length > 0 ? ids.join(', then ') : '-'
}

const probeText = (p: AddressResult['probe']): string => (p ? `${p.passed ? 'passed' : 'failed'}: ${p.last}` : '-')

/** issue 19: a Precheck column, before Probe, when the cutover ran one. */
const prechecked = (result: CutoverResult): boolean => result.addresses.some((a) => a.precheck !== undefined)

function rowOf(result: CutoverResult, a: AddressResult): string[] {
  const target = result.plan.target
  return [
    a.addr.text,
    label(beforeOf(a)),
    target ? dropletLabel(target.id, target.name) : 'none',
    label(finalOf(a)),
    finalOf(a)?.region ?? '',
    actionText(a),
    statusText(a),
    ...(prechecked(result) ? [probeText(a.precheck)] : []),
    probeText(a.probe)
  ]
}

/** Each address's trouble, and where every address is now. */
function failureOf(result: CutoverResult): string | undefined {
  if (result.refused) return result.refused
  const troubles: string[] = []
  for (const a of result.addresses) {
    if (a.error !== undefined) troubles.push(a.error)
    else if (a.move?.error) troubles.push(a.move.error)
    if (a.probe && !a.probe.passed)
      troubles.push(
        `verification of ${a.addr.text} failed: ${a.probe.last} (${a.probe.url})${unansweredIpv6Hint(a.addr, a.probe)}`
      )
    if (a.backError) troubles.push(`moving ${a.addr.text} back failed: ${a.backError}`)
  }
  if (troubles.length === 0) return undefined
  const now = result.addresses.map((a) => `${a.addr.text} is ${where(finalOf(a))}`).join(', ')
  const undone = result.rolledBack ? ' Rolled back:' : ' Now:'
  return `${troubles.join('; ')}.${undone} ${now}.`
}

function where(ip: IpRecord | undefined): string {
  if (!ip) return 'in an unknown state'
  return ip.dropletId === null ? 'assigned to no droplet' : `on droplet ${dropletLabel(ip.dropletId, ip.dropletName)}`
}

function notesOf(result: CutoverResult, error: string | undefined): string[] {
  const notes: string[] = []
  if (error) notes.push(`**Failed:** ${error}`)
  const { addresses } = result
  if (addresses.every((a) => a.move?.actionStatus === '' && !a.move.changed)) {
    notes.push('Every address was already where it was to go; no request that changes anything was sent.')
  }
  if (!result.plan.wait && addresses.some((a) => a.move?.actionStatus === 'in-progress')) {
    notes.push('wait: false: the actions were started and not waited for.')
  }
  const movedAway = addresses.filter((a) => moved(a) && !a.back?.changed)
  const previous = common(movedAway.map((a) => idText(a.move?.before.dropletId)))
  if (movedAway.length > 0 && previous !== '') {
    notes.push(
      `Roll back with \`operation: assign\`, \`droplet_id: ${previous}\` (the \`previous_droplet_id\` output).`
    )
  } else if (movedAway.length > 0 && movedAway.every((a) => a.move?.before.dropletId === null)) {
    notes.push('Roll back with `operation: unassign`: the address was assigned to no droplet before.')
  }
  notes.push(`Time taken: ${secs(Date.now() - result.startedAt)}.`)
  return notes
}

function titleOf(result: CutoverResult, error: string | undefined): string {
  const op = result.plan.target ? 'cutover' : 'unassign'
  const ips = result.addresses.map((a) => a.addr.text).join(', ')
  if (result.refused) return `Reserved IP ${op} refused: ${ips}`
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

/** An action a cutover started, as main.ts keeps them for a report on cancellation. */
export interface StartedAction {
  readonly addr: Address
  readonly before: IpRecord | undefined
  readonly actionId: number
}

/** The outputs and summary of a step cancelled while its actions were in progress. */
export function cancelledReport(signal: string, started: readonly StartedAction[]): OperationResult {
  const first = started[0]
  const outputs = emptyOutputs()
  const inFlight = started.map((s) => `action ${s.actionId} on ${s.addr.text}`).join(', ')
  const error = `Cancelled (${signal}); nothing more was sent.${started.length ? ` Still in progress and may still complete: ${inFlight}. Look each up with GET /v2/actions/{id}.` : ''}`
  if (first) {
    Object.assign(outputs, first.before ? ipOutputs(first.before) : {}, {
      ip: first.addr.text,
      ip_version: String(first.addr.version),
      droplet_id: '',
      previous_droplet_id: idText(first.before?.dropletId),
      action_id: String(first.actionId),
      action_status: 'in-progress',
      changed: 'true'
    })
  }
  return {
    outputs,
    error,
    summary: {
      title: 'Reserved IP step cancelled',
      tables: [
        {
          header: ['IP', 'From droplet', 'Action', 'Status'],
          rows: started.map((s) => [s.addr.text, label(s.before), String(s.actionId), 'in-progress'])
        }
      ],
      notes: [`**Cancelled:** ${error}`]
    }
  }
}
