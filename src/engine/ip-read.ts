/**
 * Reading a reserved IP around a change: allowing for reads that lag writes, waiting out an action
 * that is already in progress on it, and one last read after the step's time ran out.
 */
import { messageOf } from './outcome.js'
import type { Address } from '../inputs/address.js'
import type { IpRecord } from '../do/ips.js'
import type { ActionRecord } from '../do/actions.js'
import { GaveUpError, timeoutRanOut } from '../transport/http.js'
import { NEVER_ABORTED, pause } from '../context.js'
import type { EngineContext } from './step.js'
import { waitUntil } from './wait.js'

/** A failure that leaves nothing changed by this step. */
export class OperationError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'OperationError'
  }
}

export function notReserved(addr: Address): OperationError {
  return new OperationError(
    `${addr.text} is not a reserved IPv${addr.version} address in this account (DigitalOcean answered 404)`
  )
}

/** Reads an IP that must exist. */
export async function mustReadIp(ctx: EngineContext, addr: Address): Promise<IpRecord> {
  const record = await ctx.api.ips.get(ctx, addr)
  if (record === null) throw notReserved(addr)
  return record
}

/** Reads the IP, allowing for a short lag after a write (a just-written IP can read 404 for a moment). */
export async function readIpSettling(ctx: EngineContext, addr: Address, tries = 5): Promise<IpRecord | null> {
  for (let i = 1; ; i++) {
    const record = await ctx.api.ips.get(ctx, addr)
    if (record !== null || i >= tries || ctx.clock.now() + ctx.clock.scaled(1000) > ctx.deadline) return record
    await pause(ctx, ctx.clock.scaled(250 * i))
  }
}

/**
 * Reads the IP after its action completed. Reads can lag writes: when the IP does not show the
 * change yet, it is read again a few times before it is reported as DigitalOcean shows it.
 */
async function readUntil(
  ctx: EngineContext,
  addr: Address,
  settled: (ip: IpRecord) => boolean,
  tries = 4
): Promise<IpRecord | null> {
  let record = await readIpSettling(ctx, addr)
  for (let i = 1; i < tries && record !== null && !settled(record); i++) {
    if (ctx.clock.now() + ctx.clock.scaled(500) >= ctx.deadline) break
    await pause(ctx, ctx.clock.scaled(500))
    record = await ctx.api.ips.get(ctx, addr)
  }
  return record
}

/** How far beyond the timeout the read that reports an address's state may go. */
const REPORT_GRACE_MS = 15_000
/** How long that read may take after a cancellation (main.ts reports within 1.5 s of the signal). */
const CANCEL_GRACE_MS = 1_000

/**
 * The context of the reads that report where an address is after a change request: up to
 * REPORT_GRACE_MS beyond the timeout, or, once the step is cancelled, CANCEL_GRACE_MS from now
 * (these reads change nothing; no change request can start in this context either way).
 */
export function reportContext(ctx: EngineContext): EngineContext {
  const now = ctx.clock.now()
  if (ctx.signal.aborted) {
    return { ...ctx, signal: NEVER_ABORTED, deadline: now + CANCEL_GRACE_MS, maxAttempts: 2 }
  }
  return { ...ctx, deadline: Math.max(ctx.deadline + REPORT_GRACE_MS, now + 2000), maxAttempts: 3 }
}

export interface ReportRead {
  readonly record?: IpRecord
  /** Why the address could not be read. */
  readonly error?: string
}

/** The read that reports where an address is after a change request (see reportContext); never throws. */
export async function reportRead(ctx: EngineContext, addr: Address): Promise<ReportRead> {
  try {
    // A just-created address can read 404 for a moment.
    const record = await readIpSettling(reportContext(ctx), addr, 3)
    return record === null ? { error: 'DigitalOcean answered 404: it is not reserved in this account' } : { record }
  } catch (error) {
    return { error: messageOf(error) }
  }
}

/**
 * Reads the IP after its action completed, in the report context: reads can lag writes, so when it
 * does not show the change yet it is read again for a few seconds before it is taken as it reads.
 */
export async function confirmRead(
  ctx: EngineContext,
  addr: Address,
  settled: (ip: IpRecord) => boolean
): Promise<ReportRead> {
  try {
    const record = await readUntil(reportContext(ctx), addr, settled, CONFIRM_TRIES)
    return record === null ? { error: 'DigitalOcean answered 404: it is not reserved in this account' } : { record }
  } catch (error) {
    return { error: messageOf(error) }
  }
}

/** Reads of a completed change before it is taken as it reads: about 3 s on the action's schedule. */
const CONFIRM_TRIES = 7

/** Sleeps before a retry (ms on the action's own schedule), or throws when the step's timeout would run out first. */
export async function waitBeforeRetry(ctx: EngineContext, nominalMs: number, what: string): Promise<void> {
  const ms = ctx.clock.scaled(nominalMs)
  if (ctx.clock.now() + ms >= ctx.deadline) {
    throw new GaveUpError(`While ${what}, ${timeoutRanOut(ctx.timeoutMs)}`)
  }
  await pause(ctx, ms)
}

/** A wait of between half of ms and all of it, so that steps waiting on the same event do not retry in step. */
export const jitter = (ms: number): number => ms / 2 + Math.random() * (ms / 2)

/**
 * While the IP reads locked (IPv4: an action is in progress on it), finds that action. DigitalOcean
 * can show the lock before it lists the action: then the IP is read again on the poll schedule
 * until the action is listed or the lock is gone. Never returns a locked IP without its action.
 */
export async function findBusyAction(
  ctx: EngineContext,
  addr: Address,
  record: IpRecord
): Promise<{ record: IpRecord; action?: ActionRecord }> {
  if (!record.locked) return { record }
  let action = await ctx.api.actions.inProgress(ctx, addr)
  if (action) return { record, action }
  ctx.log.info(`${addr.text} is locked, but DigitalOcean lists no action in progress on it yet; reading it again`)
  let current = record
  const stillLocked = new GaveUpError(
    `${addr.text} stayed locked until ${timeoutRanOut(ctx.timeoutMs)}; nothing was sent`
  )
  const done = await waitUntil(ctx, ctx.clock.now(), async () => {
    current = await mustReadIp(ctx, addr)
    if (!current.locked) return true
    action = await ctx.api.actions.inProgress(ctx, addr)
    return action !== undefined
  }).catch((error: unknown) => {
    if (error instanceof GaveUpError) throw stillLocked
    throw error
  })
  if (!done) throw stillLocked
  return { record: current, action }
}
