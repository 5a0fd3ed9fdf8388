/**
 * The randomized fault-schedule test of cutovers: scenarios (fast-check arbitraries), one case run
 * in-process against a fresh simulator, the invariants every outcome must keep, and a seeded runner
 * that runs many cases side by side and shrinks the first failure. See docs/performance.md, "Fuzzing".
 *
 * A scenario is a cutover (assign or unassign of one or two addresses, IPv4 and IPv6) with its
 * inputs and a schedule of what goes wrong: answers lost before or after the change took effect, 5xx,
 * cut bodies, hangs (past the deadline, with a long per-request limit), 422 pending events, 429s,
 * a busy droplet, an action that errors or cannot be read, another workflow moving an address at
 * the nth request of a kind, a failing service behind the address, and cancellation at the nth
 * request. Faults hit requests by their place among requests of a kind, so a scenario is the same
 * schedule each time it runs; the timing around it (polls, backoff) is the action's own.
 */
import fc from 'fast-check'
import { parseInputs } from '../src/inputs/inputs.js'
import { runOperation, type RunOptions } from '../src/run.js'
import { failureResult, type Outputs } from '../src/report/result.js'
import {
  scaledClock,
  startSimulator,
  type Fault,
  type ScaledClock,
  type SimAction,
  type SimHolderChange,
  type SimRequest,
  type Simulator
} from '../sim/simulator.js'

// ================================================================ scenarios

export type Family = 4 | 6
/** The droplets of every case: blue holds the addresses, green is the target, red is another workflow's. */
export type Holder = 'blue' | 'green' | 'red' | 'none'
/** Which requests a fault or another workflow's move counts: an address's action POSTs, its reads, polls, its actions list. */
export type Where = 'post' | 'read' | 'poll' | 'list'
export type FaultKind =
  | 'drop-before'
  | 'drop-after'
  | 'hang'
  | 'hang-after'
  | '500'
  | '503'
  | 'cut-body'
  | 'empty-body'
  | 'not-json'
  | 'pending-event'
  | 'rate-limit'
  | 'not-found'

export interface FaultSpec {
  readonly on: Where
  /** The address whose requests it counts (modulo the number of addresses); polls count for all. */
  readonly addr: number
  readonly kind: FaultKind
  /** It hits the (skip + 1)th matching request, and `times` of them from there. */
  readonly skip: number
  readonly times: number
}

export interface OtherSpec {
  /** 'start': an action of another workflow already in progress when the step begins. */
  readonly on: Where | 'any' | 'start'
  /** The address whose requests trigger it. */
  readonly when: number
  readonly skip: number
  /** The address moved. */
  readonly addr: number
  readonly to: Holder
  /** DigitalOcean ms its action takes; undefined: the move lands at once. */
  readonly durationMs?: number
}

export interface Scenario {
  readonly op: 'assign' | 'unassign'
  readonly families: readonly Family[]
  /** Where each address is when the step begins. */
  readonly start: readonly Holder[]
  readonly wait: boolean
  /** assign only: verify_url, and green's service healthy or not. */
  readonly verify: 'none' | 'healthy' | 'unhealthy'
  readonly redHealthy: boolean
  readonly rollback: boolean
  /** expected_droplet_id: blue. */
  readonly expectBlue: boolean
  readonly shortTimeout: boolean
  /** How long the step's actions take: a few seconds, longer than the 10 s IPv6 watch, or past the deadline. */
  readonly speed: 'quick' | 'slow' | 'past'
  readonly actionMs: number
  /** How the step's first action on each address ends. */
  readonly firstOutcome: 'completed' | 'errored' | 'done' | 'missing'
  /** green answers assigns 422 pending event this long (DigitalOcean ms) from the start. */
  readonly greenBusyMs: number
  /** A per-request time limit longer than the step's timeout: a hang then runs past the deadline. */
  readonly longRequestLimit: boolean
  readonly faults: readonly FaultSpec[]
  readonly others: readonly OtherSpec[]
  /** The step is cancelled when the (cancelAt + 1)th request arrives. */
  readonly cancelAt?: number
}

function weighted<T>(...choices: [T, number][]): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([value, weight]) => ({ arbitrary: fc.constant(value), weight })))
}

const POST_KINDS: [FaultKind, number][] = [
  ['drop-before', 3],
  ['drop-after', 4],
  ['hang', 2],
  ['hang-after', 4],
  ['500', 1],
  ['503', 2],
  ['cut-body', 2],
  ['empty-body', 1],
  ['not-json', 1],
  ['pending-event', 3],
  ['rate-limit', 1]
]
const GET_KINDS: [FaultKind, number][] = [
  ['drop-before', 2],
  ['drop-after', 2],
  ['hang', 2],
  ['503', 3],
  ['500', 1],
  ['cut-body', 2],
  ['empty-body', 1],
  ['not-json', 1],
  ['rate-limit', 1]
]

const faultArb: fc.Arbitrary<FaultSpec> = weighted<Where>(['post', 5], ['read', 3], ['poll', 3], ['list', 1]).chain(
  (on) =>
    fc.record({
      on: fc.constant(on),
      addr: fc.nat(1),
      kind:
        on === 'post'
          ? weighted(...POST_KINDS)
          : weighted(...GET_KINDS, ...(on === 'poll' ? [['not-found', 2] as [FaultKind, number]] : [])),
      skip: weighted([0, 4], [1, 3], [2, 2], [3, 1], [5, 1]),
      times: weighted([1, 5], [2, 2], [3, 1])
    })
)

/** Sometimes a value, else undefined, one time in `every`. */
function sometimes<T>(arb: fc.Arbitrary<T>, every: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: every - 1 }, { arbitrary: arb, weight: 1 })
}

const otherArb: fc.Arbitrary<OtherSpec> = fc.record({
  on: weighted<OtherSpec['on']>(['read', 4], ['poll', 4], ['post', 2], ['any', 2], ['start', 2]),
  when: fc.nat(1),
  skip: fc.nat(6),
  addr: fc.nat(1),
  to: weighted<Holder>(['red', 5], ['blue', 2], ['none', 2], ['green', 1]),
  durationMs: sometimes(fc.integer({ min: 500, max: 8000 }), 2)
})

const familiesArb = weighted<Family[]>([[4], 3], [[6], 3], [[4, 6], 3], [[6, 4], 1])

function startArb(op: Scenario['op'], n: number): fc.Arbitrary<Holder[]> {
  const one =
    op === 'assign'
      ? weighted<Holder>(['blue', 17], ['green', 2], ['none', 1])
      : weighted<Holder>(['blue', 9], ['none', 1])
  return fc.array(one, { minLength: n, maxLength: n })
}

function actionArb(): fc.Arbitrary<{ speed: Scenario['speed']; actionMs: number }> {
  return weighted<Scenario['speed']>(['quick', 15], ['slow', 4], ['past', 2]).chain((speed) =>
    fc.record({
      speed: fc.constant(speed),
      actionMs: speed === 'slow' ? fc.integer({ min: 11_000, max: 30_000 }) : fc.integer({ min: 300, max: 3000 })
    })
  )
}

export const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({ op: weighted<Scenario['op']>(['assign', 6], ['unassign', 1]), families: familiesArb })
  .chain(({ op, families }) =>
    fc.record({
      op: fc.constant(op),
      families: fc.constant(families),
      start: startArb(op, families.length),
      wait: weighted([true, 9], [false, 1]),
      verify:
        op === 'assign'
          ? weighted<Scenario['verify']>(['none', 5], ['healthy', 3], ['unhealthy', 2])
          : fc.constant('none' as const),
      redHealthy: fc.boolean(),
      rollback: weighted([true, 4], [false, 1]),
      expectBlue: weighted([false, 9], [true, 1]),
      shortTimeout: weighted([false, 4], [true, 1]),
      action: actionArb(),
      firstOutcome: weighted<Scenario['firstOutcome']>(['completed', 17], ['errored', 1], ['done', 1], ['missing', 1]),
      greenBusyMs: weighted([0, 6], [3000, 1], [12_000, 1]),
      longRequestLimit: weighted([false, 5], [true, 1]),
      faults: fc.array(faultArb, { maxLength: 4 }),
      others: fc.oneof(
        { arbitrary: fc.constant([]), weight: 6 },
        { arbitrary: fc.array(otherArb, { minLength: 1, maxLength: 2 }), weight: 4 }
      ),
      cancelAt: sometimes(fc.nat(14), 5)
    })
  )
  // verify_url needs wait: true.
  .map(({ action, ...rest }) => ({ ...rest, ...action, verify: rest.wait ? rest.verify : 'none' }))

// ================================================================ what the action under test takes

/** The options of runOperation the fuzz passes when the action knows them (see actionFeatures). */
type FuzzRunOptions = RunOptions & { signal?: AbortSignal; clock?: ScaledClock }

export interface ActionFeatures {
  /** runOperation honours `signal`: no request starts once it is aborted. */
  readonly signal: boolean
  /** runOperation reads the time from `clock`. */
  readonly clock: boolean
  /** With a clock: whether client.requestTimeoutMs is counted on it ('clock') or in real ms ('real'). */
  readonly requestLimitOn?: 'clock' | 'real'
}

const quiet = { info: () => {}, warning: () => {}, debug: () => {} }

/**
 * Asks the action under test which options it honours: a get with an aborted signal and a counting
 * clock. Cancellation cases run only with `signal`; deadlines and waits run on the fuzz's fast
 * clock with `clock`, else the action's schedule is sped up by timeScale.
 */
export async function actionFeatures(): Promise<ActionFeatures> {
  const sim = await startSimulator()
  try {
    const ip = sim.addIp().ip
    const controller = new AbortController()
    controller.abort()
    let reads = 0
    const base = scaledClock(1)
    const clock = { ...base, now: () => (reads++, base.now()) }
    const options: FuzzRunOptions = { log: quiet, userAgent: 'fuzz', signal: controller.signal, clock }
    await runOperation(getInputs(sim, ip), options).catch(() => undefined)
    const features = { signal: sim.requests.length === 0, clock: reads > 0 }
    return features.clock ? { ...features, requestLimitOn: await requestLimitOn(sim, ip) } : features
  } finally {
    await sim.close()
  }
}

const getInputs = (sim: Simulator, ip: string) =>
  parseInputs((n) => ({ token: sim.token, api_url: sim.url, operation: 'get', ip })[n] ?? '', {})

/** A read that hangs, with a 1000 ms limit on a clock 100 times faster: it ends after 10 ms or after 1 s. */
async function requestLimitOn(sim: Simulator, ip: string): Promise<'clock' | 'real'> {
  sim.inject({ kind: 'hang', times: 5 })
  const t0 = performance.now()
  const options: FuzzRunOptions = {
    log: quiet,
    userAgent: 'fuzz',
    clock: scaledClock(100),
    client: { requestTimeoutMs: 1000, maxAttempts: 1 }
  }
  await runOperation(getInputs(sim, ip), options).catch(() => undefined)
  return performance.now() - t0 < 500 ? 'clock' : 'real'
}

// ================================================================ time

/** How much faster than real time a case runs: DigitalOcean's 2 s action takes 20 ms. */
export const SCALE = Number(process.env.FUZZ_SCALE ?? 100)

interface CaseTime {
  /** The test's clock, shared by the simulator and the action (clock mode). */
  readonly clock?: ScaledClock
  /** DigitalOcean ms in the simulator's ms. */
  simMs(ms: number): number
  readonly timeout: string
  readonly verifyTimeout: string
  /** The step's deadline in DigitalOcean ms. */
  readonly deadlineMs: number
  readonly client: NonNullable<RunOptions['client']>
}

/**
 * Clock mode: the simulator and the action share one clock SCALE times faster than real time, and
 * every input and limit is as DigitalOcean's. Scale mode (an action without a clock option): the
 * action's schedule is sped up by timeScale, the simulator's durations divided by SCALE, and the
 * timeout inputs, whole real seconds, are their least (1 s, SCALE s of DigitalOcean's time).
 */
function caseTime(s: Scenario, features: ActionFeatures): CaseTime {
  if (features.clock) {
    const timeoutS = s.shortTimeout ? 20 : 120
    return {
      clock: scaledClock(SCALE),
      simMs: (ms) => ms,
      timeout: String(timeoutS),
      verifyTimeout: '10',
      deadlineMs: timeoutS * 1000,
      client: {
        requestTimeoutMs:
          (s.longRequestLimit ? timeoutS * 2000 : 15_000) / (features.requestLimitOn === 'real' ? SCALE : 1),
        baseDelayMs: 500,
        maxDelayMs: 5000,
        retryBudgetMs: 90_000
      }
    }
  }
  return {
    simMs: (ms) => ms / SCALE,
    timeout: '1',
    verifyTimeout: '1',
    deadlineMs: 1000 * SCALE,
    client: {
      timeScale: SCALE,
      requestTimeoutMs: s.longRequestLimit ? 2500 : 150,
      baseDelayMs: 5,
      maxDelayMs: 50,
      retryBudgetMs: 900
    }
  }
}

// ================================================================ one case

interface Addr {
  readonly ip: string
  readonly version: Family
  /** Its path in the API. */
  readonly base: string
  readonly initial: number | null
}

interface Setup {
  readonly sim: Simulator
  readonly ids: Record<Holder, number | null>
  readonly addrs: readonly Addr[]
  readonly target: number | null
  readonly time: CaseTime
}

const BODY_FAULTS = new Set(['cut-body', 'empty-body', 'not-json'])

async function setUp(s: Scenario, features: ActionFeatures): Promise<Setup> {
  const time = caseTime(s, features)
  const sim = await startSimulator({
    actionDurationMs: time.simMs(s.speed === 'past' ? time.deadlineMs * 1.5 : s.actionMs),
    routingDelayMs: time.simMs(1000),
    ...(time.clock ? { clock: time.clock } : {})
  })
  const droplet = (name: string): number => sim.addDroplet({ name, region: 'nyc3' }).id
  const ids: Record<Holder, number | null> = {
    blue: droplet('blue'),
    green: droplet('green'),
    red: droplet('red'),
    none: null
  }
  const addrs = s.families.map((version, i): Addr => {
    const initial = ids[s.start[i]!]
    const ip = sim.addIp({ version, region: 'nyc3', dropletId: initial }).ip
    return { ip, version, base: `/v2/${version === 4 ? 'reserved_ips' : 'reserved_ipv6'}/${ip}`, initial }
  })
  const setup = { sim, ids, addrs, target: s.op === 'assign' ? ids.green : null, time }
  arrange(setup, s)
  return setup
}

/** The schedule: services, a busy droplet, how the first actions end, faults and other workflows. */
function arrange(c: Setup, s: Scenario): void {
  const { sim, ids, time } = c
  if (s.verify === 'unhealthy') sim.setService(ids.green!, { healthy: false })
  if (!s.redHealthy) sim.setService(ids.red!, { healthy: false })
  if (s.greenBusyMs > 0) sim.setDropletBusy(ids.green!, time.simMs(s.greenBusyMs))
  const seen = new Set<string>()
  sim.setActionOutcome((a) => {
    if (seen.has(a.ip)) return undefined
    seen.add(a.ip)
    return s.firstOutcome
  })
  for (const f of s.faults) sim.inject(faultOf(c, f))
  for (const o of s.others) otherMove(c, o)
}

function pathOf(c: Setup, on: Where | 'any', addr: number): { method?: string; path?: string | RegExp } {
  const a = c.addrs[addr % c.addrs.length]!
  if (on === 'post') return { method: 'POST', path: `${a.base}/actions` }
  if (on === 'read') return { method: 'GET', path: a.base }
  if (on === 'list') return { method: 'GET', path: `${a.base}/actions` }
  if (on === 'poll') return { method: 'GET', path: /^\/v2\/actions\// }
  return {}
}

function faultOf(c: Setup, f: FaultSpec): Fault {
  const match = { ...pathOf(c, f.on, f.addr), skip: f.skip, times: f.times }
  if (f.kind === '500' || f.kind === '503') return { ...match, kind: 'status', status: Number(f.kind) }
  // Retry-After 0: the action waits a quarter second beyond it, on any clock.
  if (f.kind === 'rate-limit') return { ...match, kind: 'rate-limit', retryAfter: 0, resetInMs: 0 }
  return { ...match, kind: f.kind }
}

function otherMove(c: Setup, o: OtherSpec): void {
  const a = c.addrs[o.addr % c.addrs.length]!
  const to = c.ids[o.to]
  if (o.on === 'start') {
    try {
      c.sim.startOtherAction(a.ip, to, { durationMs: c.time.simMs(o.durationMs ?? 3000) })
    } catch {
      // Refused as DigitalOcean would refuse it (e.g. an unassign of a free address): nothing happens.
    }
    return
  }
  const durationMs = o.durationMs === undefined ? undefined : c.time.simMs(o.durationMs)
  c.sim.inject({ ...pathOf(c, o.on, o.when), skip: o.skip, kind: 'other-move', ip: a.ip, dropletId: to, durationMs })
}

function inputsOf(c: Setup, s: Scenario): Record<string, string> {
  const values: Record<string, string> = {
    token: c.sim.token,
    api_url: c.sim.url,
    operation: s.op,
    ip: c.addrs.map((a) => a.ip).join(' '),
    wait: String(s.wait),
    timeout: c.time.timeout,
    rollback: String(s.rollback)
  }
  if (s.op === 'assign') values.droplet_id = String(c.ids.green)
  if (s.expectBlue) values.expected_droplet_id = String(c.ids.blue)
  if (s.verify !== 'none') Object.assign(values, { verify_url: c.sim.verifyUrl, verify_timeout: c.time.verifyTimeout })
  return values
}

interface Cancel {
  /** performance.now() when the signal was aborted. */
  readonly at: number
  /** requests.length then: requests from this index on came after the signal. */
  readonly index: number
  /** performance.now() when each request arrived. */
  readonly arrivals: number[]
  /** The requests not yet answered when the signal came (their answers the step cannot have read). */
  readonly unanswered: ReadonlySet<number>
}

interface StepRun {
  readonly outputs: Outputs
  readonly error?: string
  readonly logs: string[]
  readonly returnedAt: number
  readonly hung: boolean
  readonly cancel?: Cancel
}

/**
 * A step that has not returned after this long (real ms) is reported as hung, and cancelled (when the
 * action takes a signal) so that it does not run on. On the fuzz's clock a step's every limit together
 * (timeout, a roll-back's fresh timeout, verify_timeout, the last read's grace) is under 3 s.
 */
const hangMs = (time: CaseTime): number => (time.clock ? 6000 : 30_000)

async function runStep(c: Setup, s: Scenario, features: ActionFeatures): Promise<StepRun> {
  const logs: string[] = []
  const log = {
    info: (m: string) => logs.push(m),
    warning: (m: string) => logs.push(`warning: ${m}`),
    debug: (m: string) => logs.push(`debug: ${m}`)
  }
  const values = inputsOf(c, s)
  const inputs = parseInputs((name) => values[name] ?? '', {})
  const controller = new AbortController()
  let cancel: Cancel | undefined
  const arrivals: number[] = []
  if (features.signal && s.cancelAt !== undefined) {
    c.sim.onRequest(() => {
      arrivals.push(performance.now())
      if (cancel || c.sim.requests.length !== s.cancelAt! + 1) return
      const unanswered = new Set(c.sim.requests.flatMap((r, k) => (r.status === 0 ? [k] : [])))
      cancel = { at: performance.now(), index: c.sim.requests.length, arrivals, unanswered }
      controller.abort()
    })
  }
  const options: FuzzRunOptions = {
    log,
    userAgent: 'fuzz',
    client: c.time.client,
    ...(features.signal ? { signal: controller.signal } : {}),
    ...(c.time.clock ? { clock: c.time.clock } : {})
  }
  const ended = await settleWithin(runOperation(inputs, options), hangMs(c.time))
  const returnedAt = performance.now()
  if (ended.kind === 'hung') {
    controller.abort()
    const error = `hung: no outcome after ${hangMs(c.time)} ms`
    return { outputs: failureResult(s.op, error).outputs, error, logs, returnedAt, hung: true, cancel }
  }
  if (ended.kind === 'threw') {
    // main.ts reports a thrown error so: every output empty but the addresses.
    const failed = failureResult(
      s.op,
      ended.message,
      inputs.ips.map((a) => a.text)
    )
    return { outputs: failed.outputs, error: ended.message, logs, returnedAt, hung: false, cancel }
  }
  return { outputs: ended.value.outputs, error: ended.value.error, logs, returnedAt, hung: false, cancel }
}

type Ended<T> = { kind: 'value'; value: T } | { kind: 'threw'; message: string } | { kind: 'hung' }

async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<Ended<T>> {
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<Ended<T>>((resolve) => (timer = setTimeout(() => resolve({ kind: 'hung' }), ms)))
  const ended = promise.then(
    (value): Ended<T> => ({ kind: 'value', value }),
    (error: unknown): Ended<T> => ({ kind: 'threw', message: error instanceof Error ? error.message : String(error) })
  )
  try {
    return await Promise.race([ended, hung])
  } finally {
    clearTimeout(timer)
  }
}

// ================================================================ what was seen

export interface Observation {
  readonly scenario: Scenario
  readonly addrs: readonly Addr[]
  readonly target: number | null
  readonly ids: Record<Holder, number | null>
  readonly step: StepRun
  /** Each address's holder when the step returned. */
  readonly atReturn: readonly (number | null)[]
  /** The actions (the step's and others') in progress when it returned. */
  readonly openAtReturn: readonly SimAction[]
  /** Each address's holder once the step's actions still in progress have ended as they would. */
  readonly eventually: readonly (number | null)[]
  readonly actions: readonly SimAction[]
  readonly changes: readonly SimHolderChange[]
  readonly requests: readonly SimRequest[]
  readonly violations: readonly string[]
}

/** Runs one scenario against a fresh simulator and records what the step did and what it left behind. */
export async function runCase(s: Scenario, features: ActionFeatures): Promise<Observation> {
  const c = await setUp(s, features)
  try {
    const step = await runStep(c, s, features)
    const atReturn = c.addrs.map((a) => c.sim.getIp(a.ip)?.dropletId ?? null)
    const openAtReturn = c.sim.actions().filter((a) => a.status === 'in-progress')
    for (const a of openAtReturn) if (a.by === 'api') c.sim.finishActions(a.id)
    return {
      scenario: s,
      addrs: c.addrs,
      target: c.target,
      ids: c.ids,
      step,
      atReturn,
      openAtReturn,
      eventually: c.addrs.map((a) => c.sim.getIp(a.ip)?.dropletId ?? null),
      actions: c.sim.actions(),
      changes: c.sim.holderChanges(),
      requests: c.sim.requests.map((r) => ({ ...r })),
      violations: [...c.sim.violations]
    }
  } finally {
    await c.sim.close()
  }
}

// ================================================================ invariants

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
 *  i  after a lost answer, the same change is sent at most twice more
 */
export function checkInvariants(o: Observation): Problem[] {
  const problems: Problem[] = []
  const add = (invariant: string, text: string): void => void problems.push({ invariant, text })
  // A step that did not return reported nothing: that is all there is to say of it.
  if (o.step.hung) return [{ invariant: 'h', text: `the step had not returned: ${o.step.error}` }]
  o.addrs.forEach((_, i) => {
    checkReported(o, i, add)
    checkOnce(o, i, add)
    checkRollBacks(o, i, add)
    checkResends(o, i, add)
  })
  checkRolledBack(o, add)
  checkSuccess(o, add)
  checkChanged(o, add)
  for (const v of o.violations) add('g', v)
  checkCancel(o, add)
  return problems
}

type Add = (invariant: string, text: string) => void

const name = (o: Observation, id: number | null | undefined): string => {
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

function reported(o: Observation, i: number): Reported {
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

const ofIp = (o: Observation, i: number) => (x: { ip: string }) => x.ip === o.addrs[i]!.ip

/** The address's holder as an answer decided at `seq` showed it. */
function holderAt(o: Observation, i: number, seq: number): number | null {
  let holder = o.addrs[i]!.initial
  for (const c of o.changes.filter(ofIp(o, i))) if (c.seq < seq) holder = c.to
  return holder
}

/** A read of the address that DigitalOcean answered with it (readable). */
function isLook(o: Observation, r: SimRequest, a: Addr): boolean {
  if (r.method !== 'GET' || r.path !== a.base || r.status !== 200 || r.seq === undefined) return false
  return !(r.injected && BODY_FAULTS.has(r.injected)) && !cutShort(o, o.requests.indexOf(r))
}

/** The step's last read of the address that DigitalOcean answered with the address. */
function lastLook(o: Observation, i: number): SimRequest | undefined {
  const reads = o.requests.filter((r) => isLook(o, r, o.addrs[i]!))
  return reads[reads.length - 1]
}

/** The holders the step may report: the one at its return, or its last read's when only others moved it since. */
function allowedHolders(o: Observation, i: number, atReturn: number | null): Set<number | null> {
  const allowed = new Set<number | null>([atReturn])
  const look = lastLook(o, i)
  if (look) {
    const since = o.changes.filter(ofIp(o, i)).filter((c) => c.seq > look.seq!)
    if (since.every((c) => c.by === 'other')) allowed.add(holderAt(o, i, look.seq!))
  }
  return allowed
}

const stepActions = (o: Observation, i: number): SimAction[] =>
  o.actions.filter((a) => a.by === 'api').filter(ofIp(o, i))
const sentChange = (o: Observation, i: number): boolean =>
  o.requests.some((r) => r.method === 'POST' && r.path === `${o.addrs[i]!.base}/actions`)
const unknownState = (o: Observation, i: number): boolean =>
  (o.step.error ?? '').includes(`${o.addrs[i]!.ip} is in an unknown state`)
/** An action of this step on the address was under way at the step's return (or ended after its last read). */
function underWay(o: Observation, i: number): boolean {
  if (o.openAtReturn.some((a) => a.by === 'api' && ofIp(o, i)(a))) return true
  const look = lastLook(o, i)
  return o.changes.filter(ofIp(o, i)).some((c) => c.by === 'api' && (!look || c.seq > look.seq!))
}

/**
 * Since the step's last read, the address moved only by another workflow, or by actions of this step
 * whose answers were lost (the step never learned of them): what that read showed is what it could know.
 */
function movedUnseen(o: Observation, i: number): boolean {
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
function namedUnderWay(o: Observation, i: number): boolean {
  const look = lastLook(o, i)
  const error = o.step.error ?? ''
  const late = (a: SimAction): boolean =>
    o.openAtReturn.some((x) => x.id === a.id) ||
    o.changes.some((c) => c.actionId === a.id && (!look || c.seq > look.seq!))
  return stepActions(o, i).some((a) => late(a) && new RegExp(`\\baction ${a.id}\\b`).test(error))
}

function checkReported(o: Observation, i: number, add: Add): void {
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
const moved = (o: Observation, a: SimAction): boolean => o.changes.some((c) => c.actionId === a.id)

/**
 * The step's request number k got no answer it could read: none, a 5xx, an unreadable success, or
 * the step was cancelled as it arrived (the signal aborts the request before its answer).
 */
function answerLost(o: Observation, k: number): boolean {
  return unclear(o.requests[k]!) || cutShort(o, k) || unheard(o, k)
}

/**
 * Request k, a change DigitalOcean accepted, whose action the step never names (log, outputs,
 * error): its answer did not reach the step. The client cuts each request's time limit to the
 * step's deadline (on the step's clock), so on a loaded machine an answer the simulator sent just
 * before the deadline can arrive after the client gave up on it; the simulator records it as
 * answered. The contract treats it as any lost answer (one more read, changed=true).
 */
function unheard(o: Observation, k: number): boolean {
  const r = o.requests[k]!
  if (r.method !== 'POST' || r.status < 200 || r.status >= 300) return false
  const action = o.actions.find((a) => a.request === k)
  if (!action) return false
  const said = [...o.step.logs, o.step.error ?? '', JSON.stringify(o.step.outputs)].join('\n')
  return !new RegExp(`\\b${action.id}\\b`).test(said)
}

/** Request k's answer was on its way when the signal aborted the request: the step may not have read it. */
function cutShort(o: Observation, k: number): boolean {
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
function checkOnce(o: Observation, i: number, add: Add): void {
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

/** A roll-back sent while the step's last read showed the address on a droplet another workflow put it on. */
function checkRollBacks(o: Observation, i: number, add: Add): void {
  const rollBacks = stepActions(o, i).filter((a) => a.request !== undefined && !bringsTo(a, o.target))
  for (const a of rollBacks) {
    const post = o.requests[a.request!]!
    const before = o.changes.filter(ofIp(o, i)).filter((c) => c.seq < post.seq!)
    const last = before[before.length - 1]
    if (!last || last.by !== 'other' || last.to === o.target) continue
    const seen = o.requests.some((r) => isLook(o, r, o.addrs[i]!) && r.seq! > last.seq && r.seq! < post.seq!)
    if (seen)
      add(
        'c',
        `${o.addrs[i]!.ip}: roll-back action ${a.id} sent while the address was on ${name(o, last.to)}, where another workflow had moved it (the step had read it there)`
      )
  }
}

/** A lost or unreadable answer: none, a 5xx, or a success whose body could not be read. */
const unclear = (r: SimRequest): boolean =>
  r.status === 0 || r.status >= 500 || (r.status < 300 && r.injected !== undefined && BODY_FAULTS.has(r.injected))

function checkResends(o: Observation, i: number, add: Add): void {
  const posts = o.requests.filter(
    (r) => r.method === 'POST' && r.path === `${o.addrs[i]!.base}/actions` && r.status !== 429
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

function movedByStep(o: Observation, i: number): boolean {
  return stepActions(o, i).some((a) => moved(o, a))
}

/**
 * Where the address was before the step moved it: as its last read before its first change request
 * showed it, or as it was when that request was decided (another workflow may have moved it first).
 */
function beforeMove(o: Observation, i: number): Set<number | null> {
  const a = o.addrs[i]!
  const first = o.requests.find((r) => r.method === 'POST' && r.path === `${a.base}/actions`)
  if (!first || first.seq === undefined) return new Set([a.initial])
  const reads = o.requests.filter((r) => isLook(o, r, a) && r.seq! < first.seq!)
  const read = reads[reads.length - 1]
  return new Set([holderAt(o, i, first.seq), read ? holderAt(o, i, read.seq!) : a.initial])
}

function checkRolledBack(o: Observation, add: Add): void {
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

function checkChanged(o: Observation, add: Add): void {
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

function checkCancel(o: Observation, add: Add): void {
  const cancel = o.step.cancel
  if (!cancel) return
  const took = o.step.returnedAt - cancel.at
  if (took > 2000) add('h', `the step returned ${Math.round(took)} ms after it was cancelled`)
  // A request sent before the signal may arrive a moment after it. After it, only the last read of
  // each address (the client's retries of it included), within the 2 s.
  o.requests.slice(cancel.index).forEach((r, k) => {
    const at = cancel.arrivals[cancel.index + k]! - cancel.at
    if (at <= IN_FLIGHT_MS) return
    const lastRead = r.method === 'GET' && o.addrs.some((a) => r.path === a.base)
    if (!lastRead || at > 2000)
      add('h', `${Math.round(at)} ms after the cancellation the step sent ${r.method} ${r.path}`)
  })
}

// ================================================================ running many

export interface Failure {
  readonly index: number
  readonly scenario: Scenario
  readonly problems: readonly Problem[]
  /** What the case did: its trace (as trace() gives it), outputs, error and log. */
  readonly story?: readonly string[]
}

export interface FuzzReport {
  readonly seed: number
  readonly runs: number
  readonly ms: number
  readonly features: ActionFeatures
  readonly failures: readonly Failure[]
  /** Real ms each case took, by index (cases run side by side, so their sum exceeds ms). */
  readonly caseMs: readonly number[]
  /** Cases whose cancellation was not applied (the action takes no signal). */
  readonly cancellationsPending: number
}

export interface FuzzOptions {
  readonly seed: number
  readonly runs: number
  /** Cases run side by side (most of a case is waiting). */
  readonly concurrency: number
  readonly features?: ActionFeatures
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now()
  const features = options.features ?? (await actionFeatures())
  const scenarios = fc.sample(scenarioArb, { seed: options.seed, numRuns: options.runs })
  const failures: Failure[] = []
  const caseMs: number[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    for (let index = next++; index < scenarios.length; index = next++) {
      const scenario = scenarios[index]!
      const t0 = performance.now()
      const { problems, story } = await runCase(scenario, features).then(
        (o) => ({ problems: checkInvariants(o), story: storyOf(o) }),
        (error: Error) => ({
          problems: [{ invariant: 'harness', text: `the case could not run: ${error.stack ?? error.message}` }],
          story: []
        })
      )
      if (problems.length > 0) failures.push({ index, scenario, problems, story })
      caseMs[index] = performance.now() - t0
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker))
  failures.sort((a, b) => a.index - b.index)
  return {
    seed: options.seed,
    runs: options.runs,
    ms: performance.now() - started,
    features,
    failures,
    caseMs,
    cancellationsPending: features.signal ? 0 : scenarios.filter((s) => s.cancelAt !== undefined).length
  }
}

export interface Shrunk {
  readonly scenario: Scenario
  readonly problems: readonly Problem[]
  readonly path: string
  readonly shrinks: number
  readonly observation?: Observation
}

/**
 * Replays failing case `index` of the seed with fast-check and shrinks it (for at most `ms`),
 * keeping to scenarios that break the same invariant. Timing can make a shrink step pass that
 * would fail another time: the result is a counterexample, not always the smallest.
 */
export async function shrink(seed: number, failure: Failure, features: ActionFeatures, ms: number): Promise<Shrunk> {
  const invariant = failure.problems[0]!.invariant
  let last: Observation | undefined
  const property = fc.asyncProperty(scenarioArb, async (s) => {
    const o = await runCase(s, features)
    const broken = checkInvariants(o).some((p) => p.invariant === invariant)
    if (broken) last = o
    return !broken
  })
  const out = await fc.check(property, { seed, path: String(failure.index), interruptAfterTimeLimit: ms })
  const scenario = out.counterexample?.[0] ?? failure.scenario
  const observation = last && JSON.stringify(last.scenario) === JSON.stringify(scenario) ? last : undefined
  return {
    scenario,
    problems: observation ? checkInvariants(observation) : failure.problems,
    path: out.counterexamplePath ?? String(failure.index),
    shrinks: out.numShrinks,
    observation
  }
}

// ================================================================ telling what happened

/** Which invariants failed, in how many cases, and the first case indices of each. */
export function tally(report: FuzzReport): string[] {
  const by = new Map<string, number[]>()
  for (const f of report.failures)
    for (const inv of new Set(f.problems.map((p) => p.invariant))) by.set(inv, [...(by.get(inv) ?? []), f.index])
  return [...by.keys()].sort().map((inv) => {
    const cases = by.get(inv)!
    return `(${inv}) ${cases.length} case(s), e.g. ${cases.slice(0, 6).join(', ')}`
  })
}

/** The requests of a case, one a line: what the simulator received and answered. */
export function trace(o: Observation): string[] {
  const lines: [number, string][] = o.requests.map((r, i) => {
    const body = r.body === undefined ? '' : ` ${JSON.stringify(r.body)}`
    const answer = `${r.status || 'no answer'}${r.injected ? ` [${r.injected}]` : ''}`
    const cancelled = o.step.cancel?.index === i + 1 ? ' (the step is cancelled as it arrives)' : ''
    const cut = cutShort(o, i) ? ' (its answer may be cut short by the cancellation)' : ''
    return [r.seq ?? Infinity, `  #${i} ${r.method} ${r.path}${body} -> ${answer}${cancelled}${cut}`]
  })
  for (const c of o.changes) {
    const action = c.actionId ? `action ${c.actionId} of ${c.by}` : `${c.by}, at once`
    lines.push([c.seq, `  -- ${c.ip} moved from ${name(o, c.from)} to ${name(o, c.to)} (${action})`])
  }
  return lines.sort((a, b) => a[0] - b[0]).map(([, line]) => line)
}

/** The trace, outputs, error and log of a case, for a failure's report. */
export function storyOf(o: Observation): string[] {
  return [
    `Outputs: ${JSON.stringify({ ...o.step.outputs, json: o.step.outputs.json ? '…' : '' })}`,
    `Error: ${o.step.error ?? '(none)'}`,
    'Requests and moves:',
    ...trace(o),
    'Log:',
    ...o.step.logs.filter((l) => !l.startsWith('debug:')).map((l) => `  ${l}`)
  ]
}

export function describeFailure(seed: number, shrunk: Shrunk): string {
  const lines = [
    `Counterexample (seed ${seed}, path ${shrunk.path}, ${shrunk.shrinks} shrinks):`,
    JSON.stringify(shrunk.scenario),
    ...shrunk.problems.map((p) => `  (${p.invariant}) ${p.text}`)
  ]
  if (shrunk.observation) lines.push(...storyOf(shrunk.observation))
  lines.push(`Replay: FUZZ_CASE='${JSON.stringify(shrunk.scenario)}' npm test -- __tests__/fuzz.test.ts`)
  return lines.join('\n')
}
