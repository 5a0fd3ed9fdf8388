/**
 * create: reserves a new IP. IPv4 in a region, or straight onto a droplet in one call; IPv6 in a
 * region, then assigned when a droplet is given. The create request is never sent twice after an
 * unclear answer; a pending event on the droplet (nothing was reserved) is waited out within the
 * timeout. Once a create was accepted, every outcome names the new address, with changed=true.
 */
import type { Address, IpVersion } from '../inputs/address.js'
import type { Inputs } from '../inputs/inputs.js'
import type { CreateRequest, IpRecord } from '../do/ips.js'
import type { DropletRef } from '../do/droplets.js'
import { ApiError, CancelledInFlightError, TransportError, timeoutRanOut } from '../transport/http.js'
import { dropletLabel, secs } from '../words.js'
import type { EngineContext } from '../engine/step.js'
import { pause } from '../context.js'
import { followAction, moveIp } from '../engine/drive.js'
import { pendingBackoff } from '../engine/protocol.js'
import {
  OperationError,
  jitter,
  readIpSettling,
  reportContext,
  reportRead,
  waitBeforeRetry
} from '../engine/ip-read.js'
import { cancelCause, messageOf, unknownState, type ActionStatus } from '../engine/outcome.js'
import { waitUntil } from '../engine/wait.js'
import { emptyOutputs, ipOutputs, type OperationResult } from '../report/result.js'
import { addressCell, dropletCell } from '../report/cells.js'
import type { OperationContext } from './operation.js'
import type { Journal } from '../engine/journal.js'

/** What became of the new address after it was reserved. */
interface Placed {
  /** From a read after the create (or its answer); undefined: it could not be read. */
  readonly final?: IpRecord
  readonly actionId?: number
  readonly actionStatus: ActionStatus
  readonly error?: string
}

export async function create(op: OperationContext): Promise<OperationResult> {
  const { inputs, engine: ctx } = op
  const version = inputs.ipVersion ?? 4
  const started = ctx.clock.now()
  const target = await targetOf(ctx, inputs, version)
  const region = inputs.region ?? target?.region
  const where = target && version === 4 ? `on droplet ${dropletLabel(target.id, target.name)}` : `in ${region}`
  ctx.log.info(`Reserving a new IPv${version} address ${where}`)
  const req: CreateRequest = {
    version,
    region: version === 6 || !target ? region : undefined,
    dropletId: version === 4 ? target?.id : undefined,
    projectId: inputs.projectId
  }
  const created = await reserve(ctx, req, op.journal).catch(async (error: unknown) => {
    if (!isUnclear(error)) throw error
    return lostCreate(ctx, req, error)
  })
  if ('outputs' in created) return created
  op.journal.noteReserved(created)
  const addr: Address = { text: created.record.ip, version }
  ctx.log.info(`Reserved ${addr.text}${created.record.region ? ` in ${created.record.region}` : ''}`)
  const placed = await place(ctx, inputs.wait, addr, created, target)
  const report = createdReport(addr, created.record, placed, target, started, ctx.clock.now())
  return ctx.signal.aborted ? cancelled(report, cancelCause(ctx.signal)) : report
}

/** The droplet to put the new address on, with its region when it is needed; throws before anything is sent. */
async function targetOf(ctx: EngineContext, inputs: Inputs, version: IpVersion): Promise<DropletRef | undefined> {
  let target = inputs.droplet ? await ctx.api.droplets.resolve(ctx, inputs.droplet) : undefined
  if (target && version === 6) target = await mustHaveIpv6(ctx, target)
  if (!target || (version === 4 && !inputs.region)) return target
  // IPv6 is reserved in the droplet's region; a region given beside a droplet must agree with it.
  const withIt = await ctx.api.droplets.withRegion(ctx, target, 'Nothing was reserved.')
  if (inputs.region && withIt.region !== inputs.region) {
    throw new OperationError(
      `region: droplet ${dropletLabel(withIt.id, withIt.name)} is in ${withIt.region}, not ${inputs.region}; a reserved IP can only be assigned to a droplet in its own region. Nothing was reserved.`
    )
  }
  return withIt
}

/** A reserved IPv6 for a droplet without IPv6 is refused before anything is reserved (it would be an orphan). */
async function mustHaveIpv6(ctx: EngineContext, target: DropletRef): Promise<DropletRef> {
  const read = await ctx.api.droplets.withNetworks(ctx, target, 'Nothing was reserved.')
  if (read.networks?.ipv6 === false) {
    throw new OperationError(
      `droplet ${dropletLabel(read.id, read.name)} does not have IPv6 enabled, so a reserved IPv6 cannot be assigned to it: enable IPv6 on the droplet first (doctl compute droplet-action enable-ipv6 ${read.id}). Nothing was reserved.`
    )
  }
  return read
}

/**
 * Sends the create. A 422 pending event (the droplet is busy: nothing was reserved) is waited out
 * and the create sent again, within the timeout; an unclear answer is never followed by a repeat.
 */
async function reserve(
  ctx: EngineContext,
  req: CreateRequest,
  journal: Journal,
  round = 1
): Promise<{ record: IpRecord; actionId?: number }> {
  try {
    // On the step's record before it is sent: a step cancelled now says an address may be reserved.
    journal.noteCreating(`a new IPv${req.version} address`)
    return await ctx.api.ips.create(ctx, req)
  } catch (error) {
    // A clear answer: nothing was reserved.
    if (!isUnclear(error)) journal.noteCreating(undefined)
    if (error instanceof ApiError && error.isPendingEvent && req.dropletId !== undefined) {
      const delay = jitter(pendingBackoff(round))
      ctx.log.info(
        `Droplet ${req.dropletId} has a pending event (DigitalOcean: "${error.apiMessage}"); nothing was reserved. Trying again in ${secs(delay)}.`
      )
      await waitBeforeRetry(
        ctx,
        delay,
        `waiting for a pending event on droplet ${req.dropletId} to clear; nothing was reserved`
      )
      return reserve(ctx, req, journal, round + 1)
    }
    throw error
  }
}

/** An answer that does not say whether the create was carried out: it is never sent again. */
const isUnclear = (error: unknown): boolean =>
  error instanceof TransportError ||
  error instanceof CancelledInFlightError ||
  (error instanceof ApiError && error.status >= 500)

/**
 * A create whose answer was lost: changed=true, the outcome unknown. For a create onto a droplet,
 * the reserved addresses of that family are read (within the report's grace) to name one found on it.
 */
async function lostCreate(ctx: EngineContext, req: CreateRequest, error: unknown): Promise<OperationResult> {
  const why =
    error instanceof ApiError
      ? `HTTP ${error.status}`
      : error instanceof TransportError
        ? error.reason
        : messageOf(error)
  const found = req.dropletId === undefined ? undefined : await findOn(ctx, req.version, req.dropletId)
  const named = found ? ` ${found.ip} is now on droplet ${req.dropletId}: probably the one it reserved.` : ''
  const message = `The request to reserve a new IPv${req.version} address got no clear answer (${why}). It was not sent again, because a repeat could reserve a second address. An address may have been reserved (and billed) anyway:${named} run this action with operation: list${req.region ? ` and region: ${req.region}` : ''} (ip_version: ${req.version}) to find it, and delete it if it is not wanted.`
  const outputs = {
    ...emptyOutputs(),
    ...(found ? ipOutputs(found) : { ip_version: String(req.version) }),
    changed: 'true'
  }
  return {
    outputs,
    error: message,
    summary: { title: 'Reserved IP create: outcome unknown', tables: [], notes: [`**Failed:** ${message}`] }
  }
}

/** An address on the droplet, from the list read a few times (its assign may still be under way); never throws. */
async function findOn(ctx: EngineContext, version: IpVersion, dropletId: number): Promise<IpRecord | undefined> {
  const reading = reportContext(ctx)
  try {
    for (let tries = 1; ; tries++) {
      const found = (await ctx.api.ips.list(reading, version)).find((r) => r.dropletId === dropletId)
      const late = reading.clock.now() + reading.clock.scaled(1000) >= reading.deadline
      if (found || tries >= 4 || late) return found
      await pause(reading, reading.clock.scaled(1000))
    }
  } catch {
    return undefined
  }
}

/** Puts the new address on the droplet, when one was given; never throws. */
async function place(
  ctx: EngineContext,
  wait: boolean,
  addr: Address,
  created: { record: IpRecord; actionId?: number },
  target: DropletRef | undefined
): Promise<Placed> {
  if (!target) return { final: created.record, actionStatus: '' }
  if (addr.version === 6) return assignIpv6(ctx, wait, addr, target.id)
  if (created.actionId !== undefined) {
    const action = { id: created.actionId, status: 'in-progress', type: 'assign_ip', raw: null }
    const outcome = await followAction(ctx, { addr, target: target.id, wait }, created.record, action)
    return { ...outcome, actionId: created.actionId }
  }
  if (!wait || created.record.dropletId === target.id) return { final: created.record, actionStatus: '' }
  return watchForDroplet(ctx, addr, target.id)
}

/** A create onto a droplet whose answer linked no action: watch the IP until it shows the droplet. */
async function watchForDroplet(ctx: EngineContext, addr: Address, droplet: number): Promise<Placed> {
  ctx.log.info(`Waiting for ${addr.text} to show droplet ${droplet}`)
  const shows = async (): Promise<boolean> => (await readIpSettling(ctx, addr, 1))?.dropletId === droplet
  const done = await waitUntil(ctx, ctx.clock.now(), shows).catch(() => false)
  const read = await reportRead(ctx, addr)
  const error = done ? undefined : `it did not show droplet ${droplet} before ${timeoutRanOut(ctx.timeoutMs)}`
  if (!read.record)
    return { actionStatus: '', error: [error, unknownState(addr, read.error ?? '')].filter(Boolean).join('; ') }
  return { final: read.record, actionStatus: '', error }
}

/** IPv6: reserved in the region, then assigned like any other address. */
async function assignIpv6(ctx: EngineContext, wait: boolean, addr: Address, droplet: number): Promise<Placed> {
  let initial: IpRecord | undefined
  try {
    // A just-reserved address can read 404 for a moment: see it before acting on it.
    initial = (await readIpSettling(ctx, addr)) ?? undefined
  } catch {
    initial = undefined
  }
  const outcome = await moveIp(ctx, { addr, target: droplet, wait, initial })
  return outcome
}

function createdReport(
  addr: Address,
  reserved: IpRecord,
  placed: Placed,
  target: DropletRef | undefined,
  started: number,
  now: number
): OperationResult {
  const outputs = { ...emptyOutputs(), ...ipOutputs(placed.final ?? reserved) }
  if (!placed.final) Object.assign(outputs, { droplet_id: '', json: '' })
  Object.assign(outputs, {
    ip: addr.text,
    action_id: placed.actionId === undefined ? '' : String(placed.actionId),
    action_status: placed.actionStatus,
    changed: 'true'
  })
  const final = placed.final
  return {
    outputs,
    error: placed.error === undefined ? undefined : failureOf(addr, reserved, target, placed.error),
    summary: {
      title: `Reserved IP created: ${addr.text}`,
      tables: [
        {
          header: ['Address', 'Version', 'Region', 'Droplet', 'Action', 'Status'],
          rows: [
            [
              addressCell(addr.text),
              `IPv${addr.version}`,
              final?.region || reserved.region,
              final ? dropletCell(final.dropletId, final.dropletName) : 'unknown',
              outputs.action_id || '-',
              outputs.action_status || '-'
            ]
          ]
        }
      ],
      notes: ['A reserved IP is billed while it is assigned to no droplet.', `Time taken: ${secs(now - started)}.`]
    }
  }
}

function failureOf(addr: Address, reserved: IpRecord, target: DropletRef | undefined, error: string): string {
  const where = reserved.region ? ` in ${reserved.region}` : ''
  const onto = target ? `, but assigning it to droplet ${target.id} failed: ${error.replace(/\.$/, '')}` : `: ${error}`
  return `${addr.text} was reserved${where}${onto}. The address stays reserved (and billed): assign it, or release it with operation: delete and ip: ${addr.text}.`
}

/** A create cancelled after it was accepted: the report says so first. */
function cancelled(report: OperationResult, cause: string): OperationResult {
  const error = `Cancelled (${cause}); nothing more was sent. ${report.error ?? `${report.outputs.ip} was reserved.`}`
  return {
    ...report,
    error,
    summary: { ...report.summary, notes: [`**Cancelled:** ${error}`, ...report.summary.notes] }
  }
}
