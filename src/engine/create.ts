/**
 * create: reserves a new IP through its change protocol (create-protocol.ts), then puts it on the
 * droplet, when one is given, through the move's (drive.ts). IPv4 in a region, or straight onto a
 * droplet in one call; IPv6 in a region, then assigned. Never throws once the create may be sent:
 * every path ends in a CreateResult, which report/create-report.ts turns into the outputs.
 */
import type { Address, IpVersion } from '../inputs/address.js'
import type { CreateRequest, Created, IpRecord } from '../do/ips.js'
import type { DropletRef } from '../do/droplets.js'
import type { CreateInputs } from '../inputs/inputs.js'
import { timeoutRanOut } from '../transport/http.js'
import { pause } from '../context.js'
import { dropletLabel } from '../words.js'
import type { EngineContext } from './step.js'
import type { Journal } from './journal.js'
import { failureOf } from './answers.js'
import {
  initialCreate,
  nextCreate,
  type CreateAnswer,
  type CreateEffect,
  type CreateOutcome,
  type CreateSeen
} from './create-protocol.js'
import { followAction, moveIp } from './drive.js'
import { OperationError, jitter, readIpSettling, reportContext, reportRead, waitBeforeRetry } from './ip-read.js'
import { cancelCause, messageOf, unknownState, type ActionStatus } from './outcome.js'
import { waitUntil } from './wait.js'
import { runMachine, type Pending } from './machine.js'

/** What became of the new address after it was reserved. */
export interface Placed {
  /** From a read after the create (or its answer); undefined: it could not be read. */
  readonly final?: IpRecord
  readonly actionId?: number
  readonly actionStatus: ActionStatus
  readonly error?: string
}

export interface CreateResult {
  readonly req: CreateRequest
  readonly target?: DropletRef
  readonly outcome: CreateOutcome
  /** Set once reserved: where the address ended. */
  readonly placed?: Placed
  readonly startedAt: number
  readonly finishedAt: number
  /** The cause, when the step was cancelled. */
  readonly cancelled?: string
}

/** Resolves the droplet (throws before anything is sent), then creates; never throws after that. */
export async function createIp(ctx: EngineContext, inputs: CreateInputs, journal: Journal): Promise<CreateResult> {
  const startedAt = ctx.clock.now()
  const target = await targetOf(ctx, inputs)
  const version = inputs.ipVersion
  const region = inputs.region ?? target?.region
  const req: CreateRequest = {
    version,
    region: version === 6 || !target ? region : undefined,
    dropletId: version === 4 ? target?.id : undefined,
    projectId: inputs.projectId
  }
  const where = target && version === 4 ? `on droplet ${dropletLabel(target.id, target.name)}` : `in ${region}`
  ctx.log.info(`Reserving a new IPv${version} address ${where}`)
  const outcome = await reserve(ctx, req, target, journal)
  const placed = outcome.kind === 'reserved' ? await place(ctx, inputs.wait, outcome.created, target) : undefined
  const cancelled = ctx.signal.aborted ? cancelCause(ctx.signal) : undefined
  return { req, target, outcome, placed, startedAt, finishedAt: ctx.clock.now(), cancelled }
}

/** The droplet to put the new address on, with its region when it is needed; throws before anything is sent. */
async function targetOf(ctx: EngineContext, inputs: CreateInputs): Promise<DropletRef | undefined> {
  const target = inputs.droplet ? await ctx.api.droplets.resolve(ctx, inputs.droplet) : undefined
  if (!target || (inputs.ipVersion === 4 && !inputs.region)) return target
  // IPv6 is reserved in the droplet's region; a region given beside a droplet must agree with it.
  const withIt = await ctx.api.droplets.withRegion(ctx, target, 'Nothing was reserved.')
  if (inputs.region && withIt.region !== inputs.region) {
    throw new OperationError(
      `region: droplet ${dropletLabel(withIt.id, withIt.name)} is in ${withIt.region}, not ${inputs.region}; a reserved IP can only be assigned to a droplet in its own region. Nothing was reserved.`
    )
  }
  return withIt
}

/** The loop of the create's protocol: the machine decides, this performs. Never throws. */
async function reserve(
  ctx: EngineContext,
  req: CreateRequest,
  target: DropletRef | undefined,
  journal: Journal
): Promise<CreateOutcome> {
  const plan = { version: req.version, target: target?.id, dropletId: req.dropletId }
  const start: CreateSeen = { kind: 'start' }
  const outcome = await runMachine(ctx.log, initialCreate(plan), start, nextCreate, (effect: Pending<CreateEffect>) =>
    performCreate(ctx, req, journal, effect)
  )
  if (outcome.kind === 'reserved') journal.noteReserved(outcome.created)
  // A clear answer that reserved nothing: a cancelled step does not say one may be reserved.
  if (outcome.kind === 'not-reserved') journal.noteCreating(undefined)
  return outcome
}

async function performCreate(
  ctx: EngineContext,
  req: CreateRequest,
  journal: Journal,
  effect: Pending<CreateEffect>
): Promise<CreateSeen> {
  try {
    switch (effect.kind) {
      case 'guard':
        return { kind: 'guarded', problem: await guardProblem(ctx, req.version, effect.dropletId) }
      case 'send':
        // On the step's record before it is sent: a step cancelled now says an address may be reserved.
        journal.noteCreating(`a new IPv${req.version} address`)
        return { kind: 'answer', answer: await sendCreate(ctx, req) }
      case 'pause':
        await waitBeforeRetry(ctx, jitter(effect.ms), effect.what)
        return { kind: 'paused' }
      case 'find':
        return { kind: 'found', record: await findOn(ctx, req.version, effect.dropletId) }
    }
  } catch (error) {
    if (effect.kind === 'guard') return { kind: 'guard-failed', error: messageOf(error) }
    return { kind: 'stopped', why: messageOf(error) }
  }
}

/** Sends the create once; never throws. */
async function sendCreate(ctx: EngineContext, req: CreateRequest): Promise<CreateAnswer> {
  try {
    return { kind: 'accepted', created: await ctx.api.ips.create(ctx, req) }
  } catch (error) {
    const failure = failureOf(error)
    if (failure.kind === 'refused') return { kind: 'refused', error: failure.error.message }
    return failure
  }
}

/**
 * Why the droplet cannot take the new address, as read right before the create: a reserved IPv6
 * needs IPv6 enabled; a droplet holds one reserved IPv4 at a time. Undefined: it can.
 */
async function guardProblem(ctx: EngineContext, version: IpVersion, dropletId: number): Promise<string | undefined> {
  if (version === 6) {
    const read = await ctx.api.droplets.get(ctx, dropletId)
    if (!read) return `droplet_id: droplet ${dropletId} was not found in this account. Nothing was reserved.`
    if (read.networks?.ipv6 !== false) return undefined
    return `droplet ${dropletLabel(read.id, read.name)} does not have IPv6 enabled, so a reserved IPv6 cannot be assigned to it: enable IPv6 on the droplet first (doctl compute droplet-action enable-ipv6 ${read.id}). Nothing was reserved.`
  }
  const held = (await ctx.api.ips.list(ctx, 4)).find((r) => r.dropletId === dropletId)
  if (!held) return undefined
  return `droplet ${dropletId} already holds reserved IPv4 ${held.ip}, and a droplet holds one reserved IPv4 at a time: unassign ${held.ip} from it first. Nothing was reserved.`
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

// ------------------------------------------------------------------ placing the new address

/** Puts the new address on the droplet, when one was given; never throws. */
async function place(
  ctx: EngineContext,
  wait: boolean,
  created: Created,
  target: DropletRef | undefined
): Promise<Placed> {
  const addr: Address = { text: created.record.ip, version: created.record.version }
  ctx.log.info(`Reserved ${addr.text}${created.record.region ? ` in ${created.record.region}` : ''}`)
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
  return moveIp(ctx, { addr, target: droplet, wait, initial })
}
