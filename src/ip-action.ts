/**
 * Carrying out one assign or unassign safely: pending events are waited out, a request whose
 * answer was lost is never blindly sent again (the IP is re-read first, and an action already
 * under way is adopted), and the result is the IP as DigitalOcean reports it afterwards.
 */
import type { Address } from './address.js'
import {
  findInProgressAction,
  postIpAction,
  readIp,
  type ActionRecord,
  type IpActionRequest,
  type IpRecord
} from './api.js'
import { ApiError, GaveUpError, TransportError, secs, sleep, type ApiClient } from './http.js'
import { waitForAction, waitUntil } from './wait.js'

export interface ChangeOutcome {
  /** The IP as read after the change (or as it stood, with wait: false). */
  readonly final: IpRecord
  readonly actionId: number | undefined
  readonly actionStatus: 'completed' | 'in-progress' | 'errored'
  /** Set when the step must fail (action errored, or the timeout ran out). */
  readonly error?: string
}

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

/** Reads the IP, allowing for a short lag after a write (a just-written IP can read 404 for a moment). */
export async function readIpSettling(client: ApiClient, addr: Address, tries = 5): Promise<IpRecord | null> {
  for (let i = 1; ; i++) {
    const record = await readIp(client, addr)
    if (record !== null || i >= tries || Date.now() + client.scaled(1000) > client.deadline) return record
    await sleep(client.scaled(250 * i))
  }
}

/**
 * Reads the IP after its action completed. Reads can lag writes: when the IP does not show the
 * change yet, it is read again a few times before it is reported as DigitalOcean shows it.
 */
export async function readUntil(
  client: ApiClient,
  addr: Address,
  settled: (ip: IpRecord) => boolean,
  tries = 4
): Promise<IpRecord | null> {
  let record = await readIpSettling(client, addr)
  for (let i = 1; i < tries && record !== null && !settled(record); i++) {
    if (Date.now() + client.scaled(500) >= client.deadline) break
    await sleep(client.scaled(500))
    record = await readIp(client, addr)
  }
  return record
}

/** How long an IPv6 is watched after an unanswered request before the request is sent again. */
export const LOST_ANSWER_WATCH_MS = 10_000

/** Reads the IP on the poll schedule until it is settled or LOST_ANSWER_WATCH_MS (or the timeout) has passed. */
async function watchIp(client: ApiClient, addr: Address, settled: (ip: IpRecord) => boolean): Promise<IpRecord> {
  const log = client.log
  log.info(`Watching ${addr.text} for up to ${secs(LOST_ANSWER_WATCH_MS)} in case the unanswered request went through`)
  const started = Date.now()
  let last: IpRecord | null = null
  await waitUntil(client, started, async () => {
    last = await readIp(client, addr)
    if (last === null) throw notReserved(addr)
    return settled(last) || Date.now() - started >= client.scaled(LOST_ANSWER_WATCH_MS)
  })
  last ??= await readIp(client, addr)
  if (last === null) throw notReserved(addr)
  return last
}

/** Sleeps before a retry (ms on the action's own schedule), or throws when the step's timeout would run out first. */
export async function waitBeforeRetry(client: ApiClient, nominalMs: number, what: string): Promise<void> {
  const ms = client.scaled(nominalMs)
  if (Date.now() + ms >= client.deadline) {
    throw new GaveUpError(`The step's timeout ran out while ${what}`)
  }
  await sleep(ms)
}

export function pendingBackoff(round: number): number {
  const ceiling = Math.min(10_000, 1000 * 2 ** Math.min(round - 1, 4))
  return ceiling / 2 + Math.random() * (ceiling / 2)
}

export interface ChangeRequest {
  readonly addr: Address
  readonly request: IpActionRequest
  /** The state the change brings about. */
  readonly settled: (ip: IpRecord) => boolean
  /** Called with each re-read of the IP before a retry; throws to stop (the IP was moved by someone else). */
  readonly guard: (ip: IpRecord) => void
  readonly wait: boolean
  /** Words for the log, like "assign 203.0.113.10 to droplet 1002". */
  readonly describe: string
}

const MAX_UNCLEAR_ANSWERS = 10

/**
 * Starts the action (or finds that it already happened) and waits for it. Throws ApiError,
 * OperationError or GaveUpError when the change could not be made.
 */
export async function changeIp(client: ApiClient, req: ChangeRequest): Promise<ChangeOutcome> {
  const log = client.log
  const { addr } = req
  let pendingRounds = 0
  let unclear = 0
  let adoptedRounds = 0
  for (;;) {
    let action: ActionRecord | undefined
    let adopted = false
    let answerLost = false
    try {
      action = await postIpAction(client, addr, req.request)
    } catch (error) {
      if (error instanceof ApiError && error.isPendingEvent) {
        pendingRounds++
        const delay = pendingBackoff(pendingRounds)
        log.info(
          `Waiting for a pending event to clear before we can ${req.describe}: the IP or the droplet is busy with another action (DigitalOcean: "${error.apiMessage}"). Retrying in ${secs(delay)}.`
        )
        await waitBeforeRetry(client, delay, `waiting for a pending event on ${addr.text} to clear`)
      } else if (error instanceof TransportError || (error instanceof ApiError && error.status >= 500)) {
        unclear++
        answerLost = true
        if (unclear >= MAX_UNCLEAR_ANSWERS) throw error
        log.info(
          `No clear answer to the request to ${req.describe} (${describeError(error)}); re-reading the IP to see whether it went through`
        )
        await waitBeforeRetry(client, 200 * unclear + Math.random() * 200, `re-reading ${addr.text}`)
      } else {
        throw explainActionError(error, req)
      }
      // Before sending again, see what actually happened.
      let now = await readIp(client, addr)
      if (now === null) throw notReserved(addr)
      if (addr.version === 6 && answerLost && !req.settled(now)) {
        // A reserved IPv6 shows no lock while an action is under way: an assign that did go through
        // shows only when it completes. Watch the IP a while before sending again.
        now = await watchIp(client, addr, req.settled)
      }
      if (req.settled(now)) {
        log.info(`${addr.text} is already in the requested state; nothing more to send`)
        return { final: now, actionId: undefined, actionStatus: 'completed' }
      }
      req.guard(now)
      if (now.locked) {
        action = await findInProgressAction(client, addr)
        if (action) {
          adopted = true
          log.info(`Action ${action.id} (${action.type}) is already in progress on ${addr.text}; waiting for it`)
        }
      }
      if (!action) continue
    }

    if (!req.wait) {
      const now = (await readIp(client, addr)) ?? undefined
      if (!now) throw notReserved(addr)
      const status = action.status === 'completed' || action.status === 'errored' ? action.status : 'in-progress'
      return { final: now, actionId: action.id, actionStatus: status }
    }

    const startedAt = Date.now()
    log.info(`Action ${action.id} (${action.type || req.request.type}) started; waiting for DigitalOcean to finish it`)
    let result: { status: 'completed' | 'errored' | 'timeout' }
    let waitError: string | undefined
    try {
      result =
        action.status === 'completed' || action.status === 'errored'
          ? { status: action.status }
          : await waitForAction(client, action.id, {
              startedAt,
              describe: req.describe,
              settled: async () => {
                const now = await readIp(client, addr)
                return now !== null && req.settled(now)
              }
            })
    } catch (error) {
      // Polling itself failed (the API kept failing): the action may still finish.
      result = { status: 'timeout' }
      waitError = (error as Error).message
    }
    if (result.status === 'timeout') {
      const final = await lastRead(client, addr)
      return {
        final: final ?? placeholder(addr),
        actionId: action.id,
        actionStatus: 'in-progress',
        error: `Action ${action.id} to ${req.describe} had not finished when ${waitError ? `waiting for it failed (${waitError})` : "the step's timeout ran out"}; it may still complete. Look it up with GET /v2/actions/${action.id}.`
      }
    }
    const final =
      result.status === 'completed' && !adopted
        ? await readUntil(client, addr, req.settled)
        : await readIpSettling(client, addr)
    if (final === null) throw notReserved(addr)
    // An adopted action of our kind that errored is taken as ours (its answer was lost): report it.
    const sameKind = action.type === `${req.request.type}_ip` || action.type === req.request.type
    if (adopted && !req.settled(final) && adoptedRounds < 3 && !(result.status === 'errored' && sameKind)) {
      // The action we waited for was someone else's: now send ours.
      adoptedRounds++
      req.guard(final)
      continue
    }
    if (result.status === 'errored') {
      return {
        final,
        actionId: action.id,
        actionStatus: 'errored',
        error: `DigitalOcean reports that action ${action.id} to ${req.describe} errored; the IP is ${final.dropletId === null ? 'assigned to no droplet' : `on droplet ${final.dropletId}`}`
      }
    }
    return { final, actionId: action.id, actionStatus: 'completed' }
  }
}

/** One more read after the timeout, so the outputs show where the IP is; undefined when even that fails. */
export async function lastRead(client: ApiClient, addr: Address): Promise<IpRecord | undefined> {
  try {
    return (await readIp(client.withGrace(5000), addr)) ?? undefined
  } catch {
    return undefined
  }
}

function placeholder(addr: Address): IpRecord {
  return {
    ip: addr.text,
    version: addr.version,
    region: '',
    dropletId: null,
    dropletName: '',
    locked: false,
    raw: null
  }
}

function describeError(error: unknown): string {
  if (error instanceof TransportError) return error.reason
  if (error instanceof ApiError) return `HTTP ${error.status}${error.errorId ? ` ${error.errorId}` : ''}`
  return String(error)
}

/** Adds what the user needs to know to DigitalOcean's refusals of an action. */
function explainActionError(error: unknown, req: ChangeRequest): unknown {
  if (!(error instanceof ApiError)) return error
  if (req.request.type === 'assign') {
    const dropletId = req.request.dropletId
    if (error.status === 422 && /region/i.test(error.apiMessage)) {
      return new OperationError(
        `Droplet ${dropletId} is in another region than ${req.addr.text}: a reserved IP can only be assigned to a droplet in its own region. ${error.message}`
      )
    }
    if (
      error.status === 404 ||
      (error.status === 422 && /droplet/i.test(error.apiMessage) && /not found|exist/i.test(error.apiMessage))
    ) {
      return new OperationError(`Droplet ${dropletId} was not found in this account. ${error.message}`)
    }
  }
  return error
}
