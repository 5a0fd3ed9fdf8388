/**
 * The invariants of a cutover (a-i), and the reading of an Observation they share with the other
 * operations' (fuzz-op-invariants.ts): what the step reported of an address, where DigitalOcean had
 * it at a moment, which answers the step cannot have read. Each invariant is one check function.
 */
import type { SimAction, SimRequest } from '../../sim/simulator.js'
import { BODY_FAULTS, type Addr, type AnyScenario, type Observation } from './fuzz-case.js'
import type { Holder } from './fuzz-scenarios.js'

/** Any observation: a cutover's or another operation's. */
type Seen = Observation<AnyScenario>

export interface Problem {
  /** a-i, as in the list below. */
  readonly invariant: string
  readonly text: string
}

/**
 * The invariants (see docs/performance.md):
 *  a  each address's reported droplet is where DigitalOcean has it when the step returns, or as the
 *     step's last read showed it when since then only another workflow moved it (or an action of this
 *     step whose answer was lost, reported changed=true); unless the error says it is in an unknown
 *     state, or an action of this step is still under way and reported in-progress
 *  b  no change carried out twice for one address: two actions of this step that each moved it the
 *     same way (a roll-back is another change), unless another workflow put it back in between
 *  c  a roll-back never moves an address that another workflow moved, once the step has read it there
 *  d  rolled_back=true: every address this step moved is back where it was
 *  e  success: every address is on its target (wait: false: or its action reported in-progress)
 *  f  changed=false (overall, or an address's): no action of this step moved it
 *  g  every request fits the OpenAPI description
 *  h  after cancellation: no request but the last read of each address (with its retries) within 2 s,
 *     and the step returns within 2 s; every step returns (within 6 s on the fuzz's clock, 30 s without)
 *  i  after a lost answer, the same change is sent at most twice more (a send the droplet refused with
 *     its own pending event not counted)
 */
export function checkInvariants(o: Observation): Problem[] {
  const problems: Problem[] = []
  const add = (invariant: string, text: string): void => void problems.push({ invariant, text })
  // A step that did not return reported nothing: that is all there is to say of it.
  if (o.step.hung) return [{ invariant: 'h', text: `the step had not returned: ${o.step.error}` }]
  o.addrs.forEach((_, i) => {
    checkReported(o, i, add)
    checkOnce(o, i, add)
    const rollBacks = stepActions(o, i).filter((a) => !bringsTo(a, o.target))
    checkRollBacks(o, i, add, rollBacks, o.target)
    checkResends(o, i, add)
  })
  checkRolledBack(o, add)
  checkSuccess(o, add)
  checkChanged(o, add)
  for (const v of o.violations) add('g', v)
  checkCancel(o, add, (r) => r.method === 'GET' && o.addrs.some((a) => r.path === a.base))
  return problems
}

export type Add = (invariant: string, text: string) => void

export const name = (o: Seen, id: number | null | undefined): string => {
  if (id === undefined) return 'nothing'
  if (id === null) return 'no droplet'
  const found = (Object.keys(o.ids) as Holder[]).find((h) => o.ids[h] === id)
  return found ? `${found} (${id})` : String(id)
}

interface Reported {
  /** undefined: the outputs say nothing of the address. */
  readonly droplet: number | null | undefined
  readonly status: string
  readonly changed: boolean | undefined
}

function reported(o: Seen, i: number): Reported {
  const out = o.step.outputs
  if (o.addrs.length === 1) {
    return {
      droplet: out.droplet_id === '' ? null : Number(out.droplet_id),
      status: out.action_status,
      changed: out.changed === 'true'
    }
  }
  let entries: { ip: string; droplet_id: number | null; action_status?: string; changed?: boolean }[] = []
  try {
    entries = out.ips === '' ? [] : JSON.parse(out.ips)
  } catch {
    entries = []
  }
  const entry = entries.find((e) => e.ip === o.addrs[i]!.ip)
  if (!entry) return { droplet: undefined, status: '', changed: undefined }
  return { droplet: entry.droplet_id, status: entry.action_status ?? '', changed: entry.changed }
}

const ofIp = (o: Seen, i: number) => (x: { ip: string }) => x.ip === o.addrs[i]!.ip

/** The address's holder as an answer decided at `seq` showed it. */
export function holderAt(o: Seen, i: number, seq: number): number | null {
  let holder = o.addrs[i]!.initial
  for (const c of o.changes.filter(ofIp(o, i))) if (c.seq < seq) holder = c.to
  return holder
}

/** A read of the address that DigitalOcean answered with it (readable). */
export function isLook(o: Seen, r: SimRequest, a: Addr): boolean {
  if (r.method !== 'GET' || r.path !== a.base || r.status !== 200 || r.seq === undefined) return false
  return !(r.injected && BODY_FAULTS.has(r.injected)) && !cutShort(o, o.requests.indexOf(r))
}

/** The step's last read of the address that DigitalOcean answered with the address. */
function lastLook(o: Seen, i: number): SimRequest | undefined {
  const reads = o.requests.filter((r) => isLook(o, r, o.addrs[i]!))
  return reads[reads.length - 1]
}

/** The holders the step may report: the one at its return, or its last read's when only others moved it since. */
export function allowedHolders(o: Seen, i: number, atReturn: number | null): Set<number | null> {
  const allowed = new Set<number | null>([atReturn])
  const look = lastLook(o, i)
  if (look) {
    const since = o.changes.filter(ofIp(o, i)).filter((c) => c.seq > look.seq!)
    if (since.every((c) => c.by === 'other')) allowed.add(holderAt(o, i, look.seq!))
  }
  return allowed
}

export const stepActions = (o: Seen, i: number): SimAction[] =>
  o.actions.filter((a) => a.by === 'api').filter(ofIp(o, i))
const sentChange = (o: Seen, i: number): boolean =>
  o.requests.some((r) => r.method === 'POST' && r.path === `${o.addrs[i]!.base}/actions`)
const unknownState = (o: Seen, i: number): boolean =>
  (o.step.error ?? '').includes(`${o.addrs[i]!.ip} is in an unknown state`)
/** An action of this step on the address was under way at the step's return (or ended after its last read). */
function underWay(o: Seen, i: number): boolean {
  if (o.openAtReturn.some((a) => a.by === 'api' && ofIp(o, i)(a))) return true
  const look = lastLook(o, i)
  return o.changes.filter(ofIp(o, i)).some((c) => c.by === 'api' && (!look || c.seq > look.seq!))
}

/**
 * Since the step's last read, the address moved only by another workflow, or by actions of this step
 * whose answers were lost (the step never learned of them): what that read showed is what it could know.
 */
function movedUnseen(o: Seen, i: number): boolean {
  const look = lastLook(o, i)
  if (!look) return false
  const lostAnswer = (id?: number): boolean => {
    const action = o.actions.find((a) => a.id === id)
    return action?.request !== undefined && answerLost(o, action.request)
  }
  const since = o.changes.filter(ofIp(o, i)).filter((c) => c.seq > look.seq!)
  return since.every((c) => c.by === 'other' || lostAnswer(c.actionId))
}

/**
 * An action of this step on the address (a roll-back's, say) was under way after the step's last read
 * of it, and the error names it: the step said that it may still complete.
 */
function namedUnderWay(o: Seen, i: number): boolean {
  const look = lastLook(o, i)
  const error = o.step.error ?? ''
  const late = (a: SimAction): boolean =>
    o.openAtReturn.some((x) => x.id === a.id) ||
    o.changes.some((c) => c.actionId === a.id && (!look || c.seq > look.seq!))
  return stepActions(o, i).some((a) => late(a) && new RegExp(`\\baction ${a.id}\\b`).test(error))
}

export function checkReported(o: Seen, i: number, add: Add): void {
  if (!(sentChange(o, i) || o.step.error === undefined) || unknownState(o, i)) return
  const r = reported(o, i)
  if (r.status === 'in-progress' && underWay(o, i)) return
  if (namedUnderWay(o, i)) return
  const allowed = allowedHolders(o, i, o.atReturn[i]!)
  // An action whose answer was lost may land after the last read; changed=true says it may have.
  if (r.changed === true && movedUnseen(o, i)) allowed.add(holderAt(o, i, lastLook(o, i)!.seq!))
  if (r.droplet !== undefined && allowed.has(r.droplet)) return
  add(
    'a',
    `${o.addrs[i]!.ip}: reported on ${name(o, r.droplet)} (action_status '${r.status}'), but DigitalOcean has it on ${name(o, o.atReturn[i])}`
  )
}

const changeKey = (a: SimAction): string => (a.type === 'assign_ip' ? `assign to ${a.dropletId}` : 'unassign')
/** The action completed and moved the address (one that found it where it was to go changed nothing). */
const moved = (o: Seen, a: SimAction): boolean => o.changes.some((c) => c.actionId === a.id)

/**
 * The step's request number k got no answer it could read: none, a 5xx, an unreadable success, or
 * the step was cancelled as it arrived (the signal aborts the request before its answer).
 */
export function answerLost(o: Seen, k: number): boolean {
  return unclear(o.requests[k]!) || cutShort(o, k) || unheard(o, k)
}

/**
 * Request k, a change DigitalOcean accepted, whose action the step never names (log, outputs,
 * error): its answer did not reach the step. The client cuts each request's time limit to the
 * step's deadline (on the step's clock), so on a loaded machine an answer the simulator sent just
 * before the deadline can arrive after the client gave up on it; the simulator records it as
 * answered. The contract treats it as any lost answer (one more read, changed=true).
 */
function unheard(o: Seen, k: number): boolean {
  const r = o.requests[k]!
  if (r.method !== 'POST' || r.status < 200 || r.status >= 300) return false
  const action = o.actions.find((a) => a.request === k)
  if (!action) return false
  const said = [...o.step.logs, o.step.error ?? '', JSON.stringify(o.step.outputs)].join('\n')
  return !new RegExp(`\\b${action.id}\\b`).test(said)
}

/** Request k's answer was on its way when the signal aborted the request: the step may not have read it. */
export function cutShort(o: Seen, k: number): boolean {
  const cancel = o.step.cancel
  if (cancel === undefined) return false
  // A change request arriving after the signal was sent before it (or (h) says so): the signal aborted it.
  if (k >= cancel.index) return o.requests[k]!.method === 'POST'
  // Not answered yet (the one whose arrival cancelled the step among them), or answered a moment before.
  return cancel.unanswered.has(k) || cancel.at - cancel.arrivals[k]! <= ANSWER_IN_FLIGHT_MS
}

/** How long an answer may take to reach the step once sent (real ms). */
const ANSWER_IN_FLIGHT_MS = 2

/**
 * A change carried out again, unless another workflow had meanwhile put the address back where it
 * was before the step's change: after a lost answer the step then sees no sign that it went through.
 */
export function checkOnce(o: Seen, i: number, add: Add): void {
  const before = beforeMove(o, i)
  const seen = new Map<string, number>()
  for (const a of stepActions(o, i).filter((x) => moved(o, x))) {
    const key = changeKey(a)
    seen.set(key, (seen.get(key) ?? 0) + 1)
    if (seen.get(key) === 1 || a.request === undefined) continue
    const post = o.requests[a.request]!
    const prior = o.changes.filter(ofIp(o, i)).filter((c) => c.seq < post.seq!)
    const last = prior[prior.length - 1]
    if (last?.by === 'other' && before.has(last.to)) continue
    add('b', `${o.addrs[i]!.ip}: ${key} carried out ${seen.get(key)} times (action ${a.id} again)`)
  }
}

/** The action takes the address to `target` (for the step's own: it is the change asked for, not a roll-back). */
const bringsTo = (a: SimAction, target: number | null): boolean =>
  target === null ? a.type === 'unassign_ip' : a.type === 'assign_ip' && a.dropletId === target

/**
 * A roll-back sent while the step's last read showed the address on a droplet another workflow put
 * it on (other than `home`, where the change being undone had put it).
 */
export function checkRollBacks(
  o: Seen,
  i: number,
  add: Add,
  rollBacks: readonly SimAction[],
  home: number | null
): void {
  for (const a of rollBacks.filter((x) => x.request !== undefined)) {
    const post = o.requests[a.request!]!
    const before = o.changes.filter(ofIp(o, i)).filter((c) => c.seq < post.seq!)
    const last = before[before.length - 1]
    if (!last || last.by !== 'other' || last.to === home) continue
    const seen = o.requests.some((r) => isLook(o, r, o.addrs[i]!) && r.seq! > last.seq && r.seq! < post.seq!)
    if (seen)
      add(
        'c',
        `${o.addrs[i]!.ip}: roll-back action ${a.id} sent while the address was on ${name(o, last.to)}, where another workflow had moved it (the step had read it there)`
      )
  }
}

/** A lost or unreadable answer: none, a 5xx, or a success whose body could not be read. */
export const unclear = (r: SimRequest): boolean =>
  r.status === 0 || r.status >= 500 || (r.status < 300 && r.injected !== undefined && BODY_FAULTS.has(r.injected))

/**
 * A 422 naming the droplet ("Droplet already has a pending event"): its own event; the change was
 * refused, and the contract has it sent again once the droplet is free, not counted as a repeat.
 */
const dropletsOwn = (r: SimRequest): boolean => r.status === 422 && /^droplet\b/i.test(r.message ?? '')

export function checkResends(o: Seen, i: number, add: Add): void {
  const posts = o.requests.filter(
    (r) => r.method === 'POST' && r.path === `${o.addrs[i]!.base}/actions` && r.status !== 429 && !dropletsOwn(r)
  )
  const bodies = new Set(posts.map((r) => JSON.stringify(r.body)))
  for (const body of bodies) {
    const same = posts.filter((r) => JSON.stringify(r.body) === body)
    const firstLost = same.findIndex(unclear)
    if (firstLost < 0) continue
    const more = same.length - firstLost - 1
    if (more > 2)
      add(
        'i',
        `${o.addrs[i]!.ip}: ${body} sent ${more} more times after a lost answer (answers ${same.map((r) => `${r.status}${r.injected ? ` ${r.injected}` : ''}`).join(', ')})`
      )
  }
}

function movedByStep(o: Seen, i: number): boolean {
  return stepActions(o, i).some((a) => moved(o, a))
}

/**
 * Where the address was before the step moved it: as its last read before its first change request
 * that DigitalOcean did not refuse showed it (a change refused, say with a pending event, is decided
 * again on a fresh read), or as it was when that request was decided (another workflow may have
 * moved it first).
 */
function beforeMove(o: Seen, i: number): Set<number | null> {
  const a = o.addrs[i]!
  const refused = (r: SimRequest): boolean => r.status >= 400 && r.status < 500
  const first = o.requests.find((r) => r.method === 'POST' && r.path === `${a.base}/actions` && !refused(r))
  if (!first || first.seq === undefined) return new Set([a.initial])
  const reads = o.requests.filter((r) => isLook(o, r, a) && r.seq! < first.seq!)
  const read = reads[reads.length - 1]
  return new Set([holderAt(o, i, first.seq), read ? holderAt(o, i, read.seq!) : a.initial])
}

function checkRolledBack(o: Seen, add: Add): void {
  if (o.step.outputs.rolled_back !== 'true') return
  o.addrs.forEach((a, i) => {
    if (!movedByStep(o, i)) return
    const allowed = allowedHolders(o, i, o.eventually[i]!)
    const before = beforeMove(o, i)
    if (![...before].some((b) => allowed.has(b)))
      add(
        'd',
        `rolled_back=true, but ${a.ip} is on ${name(o, o.eventually[i])}, not back on ${[...before].map((b) => name(o, b)).join(' or ')}`
      )
  })
}

function checkSuccess(o: Observation, add: Add): void {
  if (o.step.error !== undefined) return
  o.addrs.forEach((a, i) => {
    if (allowedHolders(o, i, o.atReturn[i]!).has(o.target)) return
    // wait: false promises an action started, not its end: one reported in-progress may still end
    // otherwise (errored), and one under way (its own, or another's it adopted) may take it there.
    if (!o.scenario.wait && reported(o, i).status === 'in-progress') return
    if (!o.scenario.wait && o.openAtReturn.some((x) => ofIp(o, i)(x) && bringsTo(x, o.target))) return
    add('e', `the step succeeded, but ${a.ip} is on ${name(o, o.atReturn[i])}, not on its target ${name(o, o.target)}`)
  })
}

export function checkChanged(o: Seen, add: Add): void {
  const moved = o.addrs.filter((_, i) => movedByStep(o, i))
  if (o.step.outputs.changed === 'false' && moved.length > 0)
    add('f', `changed=false, but the step's actions moved ${moved.map((a) => a.ip).join(', ')}`)
  if (o.addrs.length < 2) return
  o.addrs.forEach((a, i) => {
    if (reported(o, i).changed === false && movedByStep(o, i))
      add('f', `${a.ip}: changed=false, but an action of the step moved it`)
  })
}

/** How long a request sent before the signal may take to arrive, or its answer to be read (real ms). */
const IN_FLIGHT_MS = 20

/**
 * `lastRead`: a request the step may still send after the signal (the last read of an address, its
 * retries), within the 2 s. Judged on when the client started each request; when the action's client
 * does not show that, on when it arrived (one sent before the signal may arrive a moment after it).
 */
export function checkCancel(o: Seen, add: Add, lastRead: (r: { method: string; path: string }) => boolean): void {
  const cancel = o.step.cancel
  if (!cancel) return
  const took = o.step.returnedAt - cancel.at
  if (took > 2000) add('h', `the step returned ${Math.round(took)} ms after it was cancelled`)
  const late = (r: { method: string; path: string }, at: number): void => {
    if (!lastRead(r) || at > 2000)
      add('h', `${Math.round(at)} ms after the cancellation the step started ${r.method} ${r.path}`)
  }
  if (cancel.started.length > 0) {
    for (const r of cancel.started) if (r.at > cancel.at) late(r, r.at - cancel.at)
    return
  }
  o.requests.slice(cancel.index).forEach((r, k) => {
    const at = cancel.arrivals[cancel.index + k]! - cancel.at
    if (at > IN_FLIGHT_MS) late(r, at)
  })
}
