/**
 * The report of a create, from its outcome (engine/create.ts): nothing reserved (a failure that
 * changed nothing); a lost answer (changed=true, the outcome unknown, how to find the address); or
 * the new address, where it ended, and what failed in putting it on the droplet.
 */
import type { Address } from '../inputs/address.js'
import type { IpRecord } from '../do/ips.js'
import type { DropletRef } from '../do/droplets.js'
import type { CreateResult, Placed } from '../engine/create.js'
import type { CreateOutcome } from '../engine/create-protocol.js'
import { emptyOutputs, failureResult, ipOutputs, timeTaken, type OperationResult, cancelledNote } from './result.js'
import { addressCell, dropletCell } from './cells.js'
import { changedOutput, createChanged } from './changed.js'

export function createReport(result: CreateResult): OperationResult {
  const { outcome, placed } = result
  const changed = changedOutput([createChanged(outcome)])
  if (outcome.kind === 'not-reserved') return failureResult('create', outcome.error)
  if (outcome.kind === 'lost') return lostReport(result, outcome, changed)
  const reserved = outcome.created.record
  const addr: Address = { text: reserved.ip, version: reserved.version }
  const report = createdReport(addr, reserved, placed ?? { actionStatus: '' }, result, changed)
  return result.cancelled ? cancelledReport(report, result.cancelled) : report
}

/** A create whose answer was lost: changed=true, the outcome unknown; an address found on the droplet is named. */
function lostReport(
  result: CreateResult,
  outcome: Extract<CreateOutcome, { kind: 'lost' }>,
  changed: string
): OperationResult {
  const { req } = result
  const found = outcome.found
  const named = found ? ` ${found.ip} is now on droplet ${req.dropletId}: probably the one it reserved.` : ''
  const message = `The request to reserve a new IPv${req.version} address got no clear answer (${outcome.reason}). It was not sent again, because a repeat could reserve a second address. An address may have been reserved (and billed) anyway:${named} run this action with operation: list${req.region ? ` and region: ${req.region}` : ''} (ip_version: ${req.version}) to find it, and delete it if it is not wanted.`
  const outputs = { ...emptyOutputs(), ...(found ? ipOutputs(found) : { ip_version: String(req.version) }), changed }
  return {
    outputs,
    error: message,
    summary: { title: 'Reserved IP create: outcome unknown', tables: [], notes: [`**Failed:** ${message}`] }
  }
}

function createdReport(
  addr: Address,
  reserved: IpRecord,
  placed: Placed,
  result: CreateResult,
  changed: string
): OperationResult {
  const outputs = { ...emptyOutputs(), ...ipOutputs(placed.final ?? reserved) }
  if (!placed.final) Object.assign(outputs, { droplet_id: '', json: '' })
  Object.assign(outputs, {
    ip: addr.text,
    action_id: placed.actionId === undefined ? '' : String(placed.actionId),
    action_status: placed.actionStatus,
    changed
  })
  const final = placed.final
  const row = [
    addressCell(addr.text),
    `IPv${addr.version}`,
    final?.region || reserved.region,
    final ? dropletCell(final.dropletId, final.dropletName) : 'unknown',
    outputs.action_id || '-',
    outputs.action_status || '-'
  ]
  return {
    outputs,
    error: placed.error === undefined ? undefined : failureOf(addr, reserved, result.target, placed.error),
    summary: {
      title: `Reserved IP created: ${addr.text}`,
      tables: [{ header: ['Address', 'Version', 'Region', 'Droplet', 'Action', 'Status'], rows: [row] }],
      notes: ['A reserved IP is billed while it is assigned to no droplet.', timeTaken(result)]
    }
  }
}

function failureOf(addr: Address, reserved: IpRecord, target: DropletRef | undefined, error: string): string {
  const where = reserved.region ? ` in ${reserved.region}` : ''
  const onto = target ? `, but assigning it to droplet ${target.id} failed: ${error.replace(/\.$/, '')}` : `: ${error}`
  return `${addr.text} was reserved${where}${onto}. The address stays reserved (and billed): assign it, or release it with operation: delete and ip: ${addr.text}.`
}

/** A create cancelled after it was accepted: the report says so first. */
function cancelledReport(report: OperationResult, cause: string): OperationResult {
  const error = `Cancelled (${cause}); nothing more was sent. ${report.error ?? `${report.outputs.ip} was reserved.`}`
  return {
    ...report,
    error,
    summary: { ...report.summary, notes: [cancelledNote(error), ...report.summary.notes] }
  }
}
