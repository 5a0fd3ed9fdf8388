/**
 * Running one fuzz case: what the action under test takes (actionFeatures), the case's time, a
 * fresh simulator with the droplets and addresses of the scenario and its fault schedule, the step
 * run in-process (cancelled at the nth request, reported hung when it does not return), and the
 * Observation of what it did and left behind, which the invariants judge.
 */
import diagnostics from 'node:diagnostics_channel'
import type { ClientRequest } from 'node:http'
import { givenAddresses, parseInputs } from '../../src/inputs/inputs.js'
import { runOperation, type RunOptions } from '../../src/run.js'
import { failureResult, type Outputs } from '../../src/report/result.js'
import {
  scaledClock,
  startSimulator,
  type Fault,
  type ScaledClock,
  type SimAction,
  type SimHolderChange,
  type SimIp,
  type SimRequest,
  type Simulator
} from '../../sim/simulator.js'
import type { Family, FaultSpec, Holder, OtherSpec, Scenario, Where } from './fuzz-scenarios.js'
import type { OpScenario } from './fuzz-op-scenarios.js'

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
  /** The inputs take operation: rollback with `moves`. */
  readonly rollback?: boolean
}

const quiet = { info: () => {}, warning: () => {}, debug: () => {} }

/**
 * Asks the action under test which options it honours: a get with an aborted signal and a counting
 * clock. Cancellation cases run only with `signal`; deadlines and waits run on the fuzz's fast
 * clock with `clock`, else the action's schedule is sped up by timeScale. Roll-back cases run only
 * when the inputs take operation: rollback.
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
    await runOperation(inputsFrom({ token: sim.token, api_url: sim.url, operation: 'get', ip }), options).catch(
      () => undefined
    )
    const features = { signal: sim.requests.length === 0, clock: reads > 0, rollback: takesRollback() }
    return features.clock ? { ...features, requestLimitOn: await requestLimitOn(sim, ip) } : features
  } finally {
    await sim.close()
  }
}

const inputsFrom = (values: Record<string, string>) => parseInputs((n) => values[n] ?? '', {})

function takesRollback(): boolean {
  try {
    inputsFrom({ token: 't', operation: 'rollback', moves: '[]' })
    return true
  } catch {
    return false
  }
}

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
  await runOperation(inputsFrom({ token: sim.token, api_url: sim.url, operation: 'get', ip }), options).catch(
    () => undefined
  )
  return performance.now() - t0 < 500 ? 'clock' : 'real'
}

// ================================================================ time

/** How much faster than real time a case runs: DigitalOcean's 2 s action takes 20 ms. */
const SCALE = Number(process.env.FUZZ_SCALE ?? 100)

/** What every scenario, of a cutover or of another operation, has. */
export type AnyScenario = Scenario | OpScenario

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
function caseTime(s: AnyScenario, features: ActionFeatures): CaseTime {
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

export interface Addr {
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
  readonly time: CaseTime
}

export const BODY_FAULTS = new Set(['cut-body', 'empty-body', 'not-json'])

/** A fresh simulator with blue, green and red, and the scenario's addresses where they start. */
async function openCase(
  s: AnyScenario,
  features: ActionFeatures,
  addrs: readonly { family: Family; start: Holder }[]
): Promise<Setup> {
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
  const placed = addrs.map(({ family, start }): Addr => {
    const ip = addIp(sim, family, ids[start])
    const initial = sim.getIp(ip)!.dropletId
    return { ip, version: family, base: `/v2/${family === 4 ? 'reserved_ips' : 'reserved_ipv6'}/${ip}`, initial }
  })
  return { sim, ids, addrs: placed, time }
}

/** A droplet holds one reserved IPv4: a second one on it starts free. */
function addIp(sim: Simulator, version: Family, dropletId: number | null): string {
  try {
    return sim.addIp({ version, region: 'nyc3', dropletId }).ip
  } catch {
    return sim.addIp({ version, region: 'nyc3', dropletId: null }).ip
  }
}

/** What every scenario schedules: green busy, other workflows' moves, the faults. */
function arrange(c: Setup, s: AnyScenario): void {
  if (s.greenBusyMs > 0) c.sim.setDropletBusy(c.ids.green!, c.time.simMs(s.greenBusyMs))
  // A release that hangs while another workflow moves the address: its hang before any other fault.
  for (const o of s.others) otherMove(c, o)
  for (const f of s.faults) c.sim.inject(faultOf(c, f))
}

const ANY_ADDRESS = /^\/v2\/reserved_(ips|ipv6)\/[^/]+$/
const ANY_ACTIONS = /^\/v2\/reserved_(ips|ipv6)\/[^/]+\/actions$/
const LISTING = /^\/v2\/reserved_(ips|ipv6)$/

function pathOf(c: Setup, on: Where | 'any', addr: number): { method?: string; path?: string | RegExp } {
  const a = c.addrs[addr % Math.max(1, c.addrs.length)]
  if (on === 'create') return { method: 'POST', path: LISTING }
  if (on === 'listing') return { method: 'GET', path: LISTING }
  if (on === 'poll') return { method: 'GET', path: /^\/v2\/actions\// }
  if (on === 'any') return {}
  // A create's address is not known beforehand: its requests are any address's.
  if (on === 'post') return { method: 'POST', path: a ? `${a.base}/actions` : ANY_ACTIONS }
  if (on === 'list') return { method: 'GET', path: a ? `${a.base}/actions` : ANY_ACTIONS }
  if (on === 'release') return { method: 'DELETE', path: a ? a.base : ANY_ADDRESS }
  return { method: 'GET', path: a ? a.base : ANY_ADDRESS }
}

/** DigitalOcean's 422s for an event under way on the address, or on the droplet. */
const PENDING: Record<string, string> = {
  'ip-pending': 'The floating IP already has a pending event.',
  'droplet-pending': 'Droplet already has a pending event.'
}

function faultOf(c: Setup, f: FaultSpec): Fault {
  const match = { ...pathOf(c, f.on, f.addr), skip: f.skip, times: f.times }
  if (f.kind === '500' || f.kind === '503') return { ...match, kind: 'status', status: Number(f.kind) }
  if (PENDING[f.kind])
    return { ...match, kind: 'status', status: 422, id: 'unprocessable_entity', message: PENDING[f.kind] }
  // Retry-After 0: the action waits a quarter second beyond it, on any clock.
  if (f.kind === 'rate-limit') return { ...match, kind: 'rate-limit', retryAfter: 0, resetInMs: 0 }
  return { ...match, kind: f.kind } as Fault
}

function otherMove(c: Setup, o: OtherSpec): void {
  const a = c.addrs[o.addr % Math.max(1, c.addrs.length)]
  if (!a) return
  const to = c.ids[o.to]
  if (o.on === 'start') {
    try {
      c.sim.startOtherAction(a.ip, to, { durationMs: c.time.simMs(o.durationMs ?? 3000) })
    } catch {
      // Refused as DigitalOcean would refuse it (e.g. an unassign of a free address): nothing happens.
    }
    return
  }
  const at = { ...pathOf(c, o.on, o.when), skip: o.skip }
  if (o.on === 'release') c.sim.inject({ ...at, kind: 'hang' })
  const durationMs = o.durationMs === undefined ? undefined : c.time.simMs(o.durationMs)
  c.sim.inject({ ...at, kind: 'other-move', ip: a.ip, dropletId: to, durationMs })
}

// ================================================================ the inputs of each scenario

function cutoverInputs(c: Setup, s: Scenario): Record<string, string> {
  const values: Record<string, string> = {
    operation: s.op,
    ip: c.addrs.map((a) => a.ip).join(' '),
    wait: String(s.wait),
    rollback: String(s.rollback)
  }
  if (s.op === 'assign') values.droplet_id = String(c.ids.green)
  if (s.expectBlue) values.expected_droplet_id = String(c.ids.blue)
  if (s.verify !== 'none') Object.assign(values, { verify_url: c.sim.verifyUrl, verify_timeout: c.time.verifyTimeout })
  return values
}

function opInputs(c: Setup, s: OpScenario): Record<string, string> {
  const ips = c.addrs.map((a) => a.ip)
  if (s.op === 'create') {
    const where: Record<string, string> = s.onDroplet ? { droplet_id: String(c.ids.green) } : { region: 'nyc3' }
    return { operation: 'create', ip_version: String(s.family), wait: String(s.wait), ...where }
  }
  if (s.op === 'delete') return { operation: 'delete', ip: ips[0]! }
  if (s.op === 'prune') {
    const keep = ips.filter((_, i) => s.addrs[i]!.keep).join(' ')
    const max: Record<string, string> = s.maxRelease === undefined ? {} : { max_release: String(s.maxRelease) }
    return { operation: 'prune', dry_run: String(s.dryRun), keep, ...max }
  }
  const moves = c.addrs.map((a, i) => ({ ip: a.ip, from: c.ids[s.addrs[i]!.from], to: c.ids[s.addrs[i]!.to] }))
  return { operation: 'rollback', moves: JSON.stringify(moves) }
}

// ================================================================ the step

/** A request the action started, as node:http's client saw it: when (performance.now()), what. */
interface Started {
  readonly at: number
  readonly method: string
  /** Without the query. */
  readonly path: string
}

/**
 * The requests every action in this process starts, by the port they go to (each case's simulator
 * has its own): when the client started each one, not when it arrived, so a request sent before a
 * cancellation that arrives after it on a loaded machine is told from one started after it.
 */
const startedByPort = new Map<number, Started[]>()
diagnostics.subscribe('http.client.request.start', (message) => {
  const request = (message as { request: ClientRequest }).request
  const port = Number(/:(\d+)$/.exec(String(request.getHeader('host') ?? ''))?.[1])
  const list = startedByPort.get(port)
  if (list) list.push({ at: performance.now(), method: request.method, path: request.path.split('?')[0]! })
})

interface Cancel {
  /** performance.now() when the signal was aborted. */
  readonly at: number
  /** requests.length then: requests from this index on came after the signal. */
  readonly index: number
  /** performance.now() when each request arrived. */
  readonly arrivals: number[]
  /** The requests not yet answered when the signal came (their answers the step cannot have read). */
  readonly unanswered: ReadonlySet<number>
  /** Every request the step started, when its client started it (empty: the action's client is not node:http). */
  readonly started: readonly Started[]
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

async function runStep(
  c: Setup,
  s: AnyScenario,
  values: Record<string, string>,
  features: ActionFeatures
): Promise<StepRun> {
  const logs: string[] = []
  const log = {
    info: (m: string) => logs.push(m),
    warning: (m: string) => logs.push(`warning: ${m}`),
    debug: (m: string) => logs.push(`debug: ${m}`)
  }
  const inputs = inputsFrom({ token: c.sim.token, api_url: c.sim.url, timeout: c.time.timeout, ...values })
  const controller = new AbortController()
  let cancel: Cancel | undefined
  const arrivals: number[] = []
  const started: Started[] = []
  startedByPort.set(c.sim.port, started)
  if (features.signal && s.cancelAt !== undefined) {
    c.sim.onRequest(() => {
      arrivals.push(performance.now())
      if (cancel || c.sim.requests.length !== s.cancelAt! + 1) return
      const unanswered = new Set(c.sim.requests.flatMap((r, k) => (r.status === 0 ? [k] : [])))
      cancel = { at: performance.now(), index: c.sim.requests.length, arrivals, unanswered, started }
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
  startedByPort.delete(c.sim.port)
  if (ended.kind === 'hung') {
    controller.abort()
    const error = `hung: no outcome after ${hangMs(c.time)} ms`
    return { outputs: failureResult(s.op, error).outputs, error, logs, returnedAt, hung: true, cancel }
  }
  if (ended.kind === 'threw') {
    // main.ts reports a thrown error so: every output empty but the addresses.
    const failed = failureResult(s.op, ended.message, givenAddresses(inputs))
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

export interface Observation<S extends AnyScenario = Scenario> {
  readonly scenario: S
  readonly addrs: readonly Addr[]
  /** A cutover's target (assign: green; unassign: none); null for the other operations. */
  readonly target: number | null
  readonly ids: Record<Holder, number | null>
  readonly step: StepRun
  /** Each address's holder when the step returned (null also when it is gone). */
  readonly atReturn: readonly (number | null)[]
  /** The actions (the step's and others') in progress when it returned. */
  readonly openAtReturn: readonly SimAction[]
  /** Each address's holder once the step's actions still in progress have ended as they would. */
  readonly eventually: readonly (number | null)[]
  readonly actions: readonly SimAction[]
  readonly changes: readonly SimHolderChange[]
  readonly requests: readonly SimRequest[]
  readonly violations: readonly string[]
  /** Every address DigitalOcean has when the step returned, the scenario's and any it created. */
  readonly ipsAtReturn: readonly SimIp[]
  /** The DELETEs of the step that DigitalOcean carried out, each with the holder at that moment. */
  readonly releases: readonly Release[]
}

export interface Release {
  readonly ip: string
  /** The droplet that held it when it was released. */
  readonly holder: number | null
  /** Its DELETE's SimRequest.seq. */
  readonly seq: number
}

async function observe<S extends AnyScenario>(
  c: Setup,
  s: S,
  values: Record<string, string>,
  features: ActionFeatures
): Promise<Observation<S>> {
  try {
    const step = await runStep(c, s, values, features)
    const holders = () => c.addrs.map((a) => c.sim.getIp(a.ip)?.dropletId ?? null)
    const atReturn = holders()
    const ipsAtReturn = c.sim.ips()
    const openAtReturn = c.sim.actions().filter((a) => a.status === 'in-progress')
    for (const a of openAtReturn) if (a.by === 'api') c.sim.finishActions(a.id)
    const requests = c.sim.requests.map((r) => ({ ...r }))
    return {
      scenario: s,
      addrs: c.addrs,
      target: s.op === 'assign' ? c.ids.green : null,
      ids: c.ids,
      step,
      atReturn,
      openAtReturn,
      eventually: holders(),
      actions: c.sim.actions(),
      changes: c.sim.holderChanges(),
      requests,
      violations: [...c.sim.violations],
      ipsAtReturn,
      releases: c.sim
        .releases()
        .flatMap((r) =>
          r.request === undefined ? [] : [{ ip: r.ip, holder: r.holder, seq: requests[r.request]!.seq! }]
        )
    }
  } finally {
    await c.sim.close()
  }
}

/** Runs one cutover scenario against a fresh simulator and records what the step did and left behind. */
export async function runCase(s: Scenario, features: ActionFeatures): Promise<Observation> {
  const c = await openCase(
    s,
    features,
    s.families.map((family, i) => ({ family, start: s.start[i]! }))
  )
  const { sim, ids } = c
  if (s.verify === 'unhealthy') sim.setService(ids.green!, { healthy: false })
  if (!s.redHealthy) sim.setService(ids.red!, { healthy: false })
  const seen = new Set<string>()
  sim.setActionOutcome((a) => {
    if (seen.has(a.ip)) return undefined
    seen.add(a.ip)
    return s.firstOutcome
  })
  arrange(c, s)
  return observe(c, s, cutoverInputs(c, s), features)
}

/** Runs one scenario of create, delete, prune or rollback, as runCase does a cutover. */
export async function runOpCase(s: OpScenario, features: ActionFeatures): Promise<Observation<OpScenario>> {
  const c = await openCase(s, features, s.addrs)
  arrange(c, s)
  return observe(c, s, opInputs(c, s), features)
}
