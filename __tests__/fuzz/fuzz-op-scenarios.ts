/**
 * The scenarios of the other operations that change something: create (IPv4 in a region or onto a
 * droplet, IPv6 in a region or onto a droplet), delete, prune (keep, dry_run, max_release) and
 * rollback (the `moves` of an earlier cutover), each with a fault schedule: answers lost after the
 * change took effect or before, 5xx, 429, 422 pending events (the address's and the droplet's own),
 * another workflow assigning an address while its release hangs or moving one during a roll-back,
 * and cancellation at the nth request.
 */
import fc from 'fast-check'
import {
  actionArb,
  familiesArb,
  GET_KINDS,
  POST_KINDS,
  sometimes,
  weighted,
  type Family,
  type FaultKind,
  type FaultSpec,
  type Holder,
  type OtherSpec,
  type Where
} from './fuzz-scenarios.js'

export type Op = 'create' | 'delete' | 'prune' | 'rollback'
export const OPS: readonly Op[] = ['create', 'delete', 'prune', 'rollback']

interface OpAddr {
  readonly family: Family
  /** Where it is when the step begins. */
  readonly start: Holder
  /** prune: named in `keep`. */
  readonly keep: boolean
  /** rollback: its entry of `moves`: the earlier step moved it from `from` to `to`. */
  readonly from: Holder
  readonly to: Holder
}

export interface OpScenario {
  readonly op: Op
  /** create: the new address's family, and whether it goes onto green (droplet_id) or into the region. */
  readonly family: Family
  readonly onDroplet: boolean
  /** delete: one; prune: the account's addresses; rollback: the addresses of `moves`; create: none. */
  readonly addrs: readonly OpAddr[]
  /** create only (rollback always waits). */
  readonly wait: boolean
  /** prune. */
  readonly dryRun: boolean
  readonly maxRelease?: number
  readonly shortTimeout: boolean
  readonly longRequestLimit: boolean
  readonly speed: 'quick' | 'slow' | 'past'
  readonly actionMs: number
  /** green answers 422 pending event (the droplet's own) this long (DigitalOcean ms) from the start. */
  readonly greenBusyMs: number
  /** `addr` counts among the scenario's addresses; a create's faults hit whatever address it made. */
  readonly faults: readonly FaultSpec[]
  /** On 'release', the DELETE it arrives with hangs (not carried out): the release hangs while it happens. */
  readonly others: readonly OtherSpec[]
  readonly cancelAt?: number
}

/** DELETE answers: lost after it was carried out or before, 5xx, 429, the address's pending event. */
const RELEASE_KINDS: [FaultKind, number][] = [
  ['drop-before', 2],
  ['drop-after', 3],
  ['hang', 3],
  ['hang-after', 3],
  ['500', 1],
  ['503', 2],
  ['cut-body', 1],
  ['not-json', 2],
  ['ip-pending', 2],
  ['rate-limit', 1]
]
/** A create's answers: a droplet busy with its own event instead of the address's. */
const CREATE_KINDS: [FaultKind, number][] = [
  ...POST_KINDS.filter(([k]) => k !== 'pending-event'),
  ['droplet-pending', 3]
]
/** An action POST (a roll-back's, an IPv6 create's assign): both 422s. */
const ACTION_KINDS: [FaultKind, number][] = [
  ...POST_KINDS.filter(([k]) => k !== 'pending-event'),
  ['ip-pending', 2],
  ['droplet-pending', 2]
]

const KINDS: Partial<Record<Where, [FaultKind, number][]>> = {
  create: CREATE_KINDS,
  release: RELEASE_KINDS,
  post: ACTION_KINDS,
  poll: [...GET_KINDS, ['not-found', 2]]
}

function faultsArb(places: [Where, number][], addrs: number): fc.Arbitrary<FaultSpec[]> {
  const one = weighted(...places).chain((on) =>
    fc.record({
      on: fc.constant(on),
      addr: fc.nat(Math.max(0, addrs - 1)),
      kind: weighted(...(KINDS[on] ?? GET_KINDS)),
      skip: weighted([0, 4], [1, 3], [2, 2], [3, 1]),
      times: weighted([1, 5], [2, 2], [3, 1])
    })
  )
  return fc.array(one, { maxLength: 4 })
}

function othersArb(places: [OtherSpec['on'], number][], addrs: number, to: [Holder, number][]) {
  const one: fc.Arbitrary<OtherSpec> = fc.record({
    on: weighted(...places),
    when: fc.nat(Math.max(0, addrs - 1)),
    skip: fc.nat(4),
    addr: fc.nat(Math.max(0, addrs - 1)),
    to: weighted(...to),
    durationMs: sometimes(fc.integer({ min: 500, max: 8000 }), 3)
  })
  return fc.oneof(
    { arbitrary: fc.constant([]), weight: 1 },
    { arbitrary: fc.array(one, { minLength: 1, maxLength: 2 }), weight: 2 }
  )
}

const addrArb = (family: fc.Arbitrary<Family>, start: fc.Arbitrary<Holder>, keep = false): fc.Arbitrary<OpAddr> =>
  fc.record({
    family,
    start,
    keep: keep ? weighted([false, 4], [true, 1]) : fc.constant(false),
    from: fc.constant<Holder>('none'),
    to: fc.constant<Holder>('none')
  })
const anyFamily = weighted<Family>([4, 1], [6, 1])

/** A roll-back's addresses: each moved from blue (or none) to green (or none), found on its `to` mostly. */
const rollbackAddrsArb: fc.Arbitrary<OpAddr[]> = familiesArb.chain((families) =>
  fc.tuple(
    ...families.map((family) =>
      fc
        .record({
          from: weighted<Holder>(['blue', 6], ['none', 1]),
          to: weighted<Holder>(['green', 6], ['none', 1]),
          found: weighted<'to' | 'from' | 'red' | 'none'>(['to', 6], ['from', 2], ['red', 1], ['none', 1])
        })
        .map(({ from, to, found }): OpAddr => {
          const home = to === from ? 'green' : to
          const start = found === 'to' ? home : found === 'from' ? from : found
          return { family, start, keep: false, from, to: home }
        })
    )
  )
)

/** What varies the same way for every operation. */
const common = {
  shortTimeout: weighted([false, 4], [true, 1]),
  longRequestLimit: weighted([false, 5], [true, 1]),
  action: actionArb(),
  cancelAt: sometimes(fc.nat(10), 5)
}
/** The fields of create and prune, as they are for the other operations. */
const notCreate = { family: fc.constant<Family>(4), onDroplet: fc.constant(false), wait: fc.constant(true) }
const notPrune = { dryRun: fc.constant(false) }
const holderMoves: [Holder, number][] = [
  ['red', 4],
  ['blue', 2],
  ['none', 1]
]

const byOp: Record<Op, fc.Arbitrary<Record<string, unknown>>> = {
  create: fc.record({
    family: anyFamily,
    onDroplet: fc.boolean(),
    addrs: fc.constant([]),
    wait: weighted([true, 5], [false, 1]),
    ...notPrune,
    greenBusyMs: weighted([0, 5], [3000, 1], [12_000, 1]),
    faults: faultsArb(
      [
        ['create', 6],
        ['read', 2],
        ['post', 2],
        ['poll', 2]
      ],
      1
    ),
    others: fc.constant([])
  }),
  delete: fc.record({
    ...notCreate,
    ...notPrune,
    addrs: fc.tuple(addrArb(anyFamily, weighted<Holder>(['none', 8], ['blue', 2]))),
    greenBusyMs: fc.constant(0),
    faults: faultsArb(
      [
        ['release', 5],
        ['read', 3]
      ],
      1
    ),
    others: othersArb(
      [
        ['release', 4],
        ['read', 2],
        ['start', 1]
      ],
      1,
      holderMoves
    )
  }),
  prune: fc.integer({ min: 1, max: 4 }).chain((n) =>
    fc.record({
      ...notCreate,
      addrs: fc.array(addrArb(anyFamily, weighted<Holder>(['none', 6], ['blue', 2], ['red', 1]), true), {
        minLength: n,
        maxLength: n
      }),
      dryRun: weighted([false, 4], [true, 1]),
      maxRelease: sometimes(fc.integer({ min: 1, max: 2 }), 4),
      greenBusyMs: fc.constant(0),
      faults: faultsArb(
        [
          ['release', 5],
          ['read', 3],
          ['listing', 2]
        ],
        n
      ),
      others: othersArb(
        [
          ['release', 4],
          ['read', 2],
          ['listing', 1],
          ['start', 1]
        ],
        n,
        holderMoves
      )
    })
  ),
  rollback: rollbackAddrsArb.chain((addrs) =>
    fc.record({
      ...notCreate,
      ...notPrune,
      addrs: fc.constant(addrs),
      greenBusyMs: weighted([0, 6], [3000, 1], [12_000, 1]),
      faults: faultsArb(
        [
          ['post', 5],
          ['read', 3],
          ['poll', 3],
          ['list', 1]
        ],
        addrs.length
      ),
      others: othersArb(
        [
          ['read', 3],
          ['poll', 3],
          ['post', 2],
          ['start', 2]
        ],
        addrs.length,
        [
          ['red', 5],
          ['green', 1],
          ['none', 1]
        ]
      )
    })
  )
}

/** A scenario of one of `ops` (every operation by default). */
export function opScenarioArb(ops: readonly Op[] = OPS): fc.Arbitrary<OpScenario> {
  return fc
    .constantFrom(...ops)
    .chain((op) => fc.record({ op: fc.constant(op), rest: byOp[op], ...common }))
    .map(({ op, rest, action, ...more }) => ({ op, ...rest, ...more, ...action }) as unknown as OpScenario)
}
