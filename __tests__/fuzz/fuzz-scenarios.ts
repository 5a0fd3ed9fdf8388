/**
 * The scenarios of the cutover fuzz (assign and unassign of one or two addresses) as fast-check
 * arbitraries, and the pieces every scenario shares: the droplets, where a fault hits, its kinds.
 * A scenario is data (JSON) so that a failure prints it and FUZZ_CASE replays it. Faults hit
 * requests by their place among requests of a kind, so a scenario is the same schedule each time
 * it runs; the timing around it (polls, backoff) is the action's own. See docs/performance.md.
 */
import fc from 'fast-check'

export type Family = 4 | 6
/** The droplets of every case: blue holds the addresses, green is the target, red is another workflow's. */
export type Holder = 'blue' | 'green' | 'red' | 'none'
/**
 * Which requests a fault or another workflow's move counts: an address's action POSTs, its reads,
 * polls, its actions list; and for the other operations a create, an address's DELETE, the listings.
 */
export type Where = 'post' | 'read' | 'poll' | 'list' | 'create' | 'release' | 'listing'
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
  /** 422 naming the address ("The floating IP already has a pending event"): the address's own event. */
  | 'ip-pending'
  /** 422 naming the droplet ("Droplet already has a pending event"): the droplet's own event. */
  | 'droplet-pending'

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

export function weighted<T>(...choices: [T, number][]): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([value, weight]) => ({ arbitrary: fc.constant(value), weight })))
}

export const POST_KINDS: [FaultKind, number][] = [
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
export const GET_KINDS: [FaultKind, number][] = [
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
export function sometimes<T>(arb: fc.Arbitrary<T>, every: number): fc.Arbitrary<T | undefined> {
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

export const familiesArb = weighted<Family[]>([[4], 3], [[6], 3], [[4, 6], 3], [[6, 4], 1])

function startArb(op: Scenario['op'], n: number): fc.Arbitrary<Holder[]> {
  const one =
    op === 'assign'
      ? weighted<Holder>(['blue', 17], ['green', 2], ['none', 1])
      : weighted<Holder>(['blue', 9], ['none', 1])
  return fc.array(one, { minLength: n, maxLength: n })
}

export function actionArb(): fc.Arbitrary<{ speed: Scenario['speed']; actionMs: number }> {
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
