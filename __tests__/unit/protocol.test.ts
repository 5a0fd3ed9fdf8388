/**
 * The change protocol's rules as tables, with no HTTP at all: each row plays a sequence of
 * observations through next() and checks the effects it asked for and the outcome it ends in.
 * The rows follow the contract's "What the step reports is what DigitalOcean shows".
 */
import { describe, expect, it } from '@jest/globals'
import type { IpRecord } from '../../src/do/ips.js'
import type { ActionRecord } from '../../src/do/actions.js'
import type { MoveOutcome, MoveRequest } from '../../src/engine/outcome.js'
import { initial, MAX_RESENDS, next, type Answer, type Effect, type Observation } from '../../src/engine/protocol.js'
import {
  nextRelease,
  type ReleaseEffect,
  type ReleaseOutcome,
  type ReleaseSeen,
  type ReleaseState
} from '../../src/engine/release.js'

const BLUE = 1
const GREEN = 2
const PURPLE = 3
const V4 = { text: '203.0.113.10', version: 4 } as const
const V6 = { text: '2001:db8::10', version: 6 } as const

const at = (dropletId: number | null, options: { locked?: boolean; v6?: boolean } = {}): IpRecord => ({
  ip: options.v6 ? V6.text : V4.text,
  version: options.v6 ? 6 : 4,
  region: 'nyc3',
  dropletId,
  dropletName: '',
  locked: options.locked ?? false,
  raw: null
})
const action = (id: number, status = 'in-progress', type = 'assign_ip'): ActionRecord => ({
  id,
  status,
  type,
  raw: null
})

const read = (dropletId: number | null, options: { locked?: boolean; v6?: boolean } = {}): Observation => ({
  kind: 'read',
  record: at(dropletId, options)
})
const answer = (a: Answer): Observation => ({ kind: 'answer', answer: a })
const accepted = (id = 10, status?: string): Observation => answer({ kind: 'accepted', action: action(id, status) })
const unclear: Observation = answer({ kind: 'unclear', reason: 'connection dropped' })
const ended: Observation = { kind: 'ended', status: 'completed' }
const paused: Observation = { kind: 'paused' }
const failedRead: Observation = { kind: 'read-failed', error: 'HTTP 503' }

/** Plays the observations from the start; returns the effects asked for and the outcome (when it ended). */
function play(
  req: Partial<MoveRequest>,
  seen: readonly Observation[]
): { effects: Effect['kind'][]; outcome?: MoveOutcome } {
  let state = initial({ addr: V4, target: GREEN, wait: true, ...req })
  const effects: Effect['kind'][] = []
  for (const observation of [{ kind: 'start' } as const, ...seen]) {
    const step = next(state, observation)
    state = step.state
    effects.push(step.effect.kind)
    if (step.effect.kind === 'done') return { effects, outcome: step.effect.outcome }
  }
  return { effects }
}

interface Row {
  readonly rule: string
  readonly req?: Partial<MoveRequest>
  readonly seen: readonly Observation[]
  readonly effects: readonly Effect['kind'][]
  readonly outcome: Omit<Partial<MoveOutcome>, 'error'> & {
    readonly finalOn?: number | null | 'unknown'
    readonly error?: RegExp
  }
}

const ROWS: readonly Row[] = [
  {
    rule: 'a change is decided on a fresh read: already there sends nothing, changed=false',
    seen: [read(GREEN)],
    effects: ['read', 'done'],
    outcome: { changed: 'no', sent: false, finalOn: GREEN }
  },
  {
    rule: 'an address with an action in progress is never "already there": that action is waited out first',
    seen: [
      read(GREEN, { locked: true }),
      { kind: 'busy', record: at(GREEN, { locked: true }), action: action(7) },
      ended,
      read(BLUE),
      accepted(),
      ended,
      read(GREEN)
    ],
    effects: ['read', 'find-busy', 'wait', 'read', 'send', 'wait', 'confirm-read', 'done'],
    outcome: { changed: 'yes', actionId: 10, actionStatus: 'completed', finalOn: GREEN }
  },
  {
    rule: 'expected_droplet_id refuses an address held elsewhere, changing nothing',
    req: { expected: PURPLE },
    seen: [read(BLUE)],
    effects: ['read', 'done'],
    outcome: { changed: 'no', finalOn: BLUE, error: /expected_droplet_id/ }
  },
  {
    rule: 'the step reports from the read that confirms a completed action',
    seen: [read(BLUE), accepted(), ended, read(GREEN)],
    effects: ['read', 'send', 'wait', 'confirm-read', 'done'],
    outcome: { changed: 'yes', actionStatus: 'completed', finalOn: GREEN, before: at(BLUE) }
  },
  {
    rule: 'completed, but the address reads elsewhere: the step fails naming the holder',
    seen: [read(BLUE), accepted(), ended, read(PURPLE)],
    effects: ['read', 'send', 'wait', 'confirm-read', 'done'],
    outcome: { changed: 'yes', finalOn: PURPLE, error: new RegExp(`another change took it`) }
  },
  {
    rule: 'a confirming read locked by another action: it is moving; waited out, judged where it ends',
    seen: [
      read(BLUE),
      accepted(),
      ended,
      read(GREEN, { locked: true }),
      { kind: 'busy', record: at(GREEN, { locked: true }), action: action(99) },
      ended,
      read(PURPLE)
    ],
    effects: ['read', 'send', 'wait', 'confirm-read', 'find-busy', 'wait', 'confirm-read', 'done'],
    outcome: { finalOn: PURPLE, error: new RegExp(`droplet ${PURPLE}`) }
  },
  {
    rule: 'the confirming read fails: the outcome is unknown, and the error says how to look',
    seen: [read(BLUE), accepted(), ended, failedRead],
    effects: ['read', 'send', 'wait', 'confirm-read', 'done'],
    outcome: { changed: 'yes', finalOn: 'unknown', error: /unknown state.*operation: get/ }
  },
  {
    rule: 'after a lost answer the address is read before anything else: it shows the change, nothing is sent again',
    seen: [read(BLUE), unclear, paused, read(GREEN)],
    effects: ['read', 'send', 'pause', 'read', 'done'],
    outcome: { changed: 'yes', actionStatus: 'completed', finalOn: GREEN }
  },
  {
    rule: 'after a lost answer, still where it was: sent again',
    seen: [read(BLUE), unclear, paused, read(BLUE), accepted(), ended, read(GREEN)],
    effects: ['read', 'send', 'pause', 'read', 'send', 'wait', 'confirm-read', 'done'],
    outcome: { changed: 'yes', finalOn: GREEN }
  },
  {
    rule: 'after a lost answer, on a third droplet: another change moved it; never sent again over it',
    seen: [read(BLUE), unclear, paused, read(PURPLE), read(PURPLE)],
    effects: ['read', 'send', 'pause', 'read', 'report-read', 'done'],
    outcome: { changed: 'unknown', finalOn: PURPLE, error: /moved to droplet 3 by another change/ }
  },
  {
    rule: `after a lost answer, the same change is sent at most ${MAX_RESENDS} times more`,
    seen: [
      read(BLUE),
      unclear,
      paused,
      read(BLUE),
      unclear,
      paused,
      read(BLUE),
      unclear,
      paused,
      read(BLUE),
      read(BLUE)
    ],
    effects: ['read', 'send', 'pause', 'read', 'send', 'pause', 'read', 'send', 'pause', 'read', 'report-read', 'done'],
    outcome: { changed: 'unknown', finalOn: BLUE, error: /sent 3 times without a clear answer/ }
  },
  {
    rule: "a locked IPv4 after a lost answer: its action is taken as the step's and waited for",
    seen: [
      read(BLUE),
      unclear,
      paused,
      read(BLUE, { locked: true }),
      { kind: 'busy', record: at(BLUE, { locked: true }), action: action(11) },
      ended,
      read(GREEN)
    ],
    effects: ['read', 'send', 'pause', 'read', 'find-busy', 'wait', 'confirm-read', 'done'],
    outcome: { changed: 'yes', actionId: 11, finalOn: GREEN }
  },
  {
    rule: "a repeat answered with the address's pending event: the first is under way; an IPv6 is watched until the timeout",
    req: { addr: V6 },
    seen: [
      read(BLUE, { v6: true }),
      unclear,
      paused,
      { kind: 'watched', record: at(BLUE, { v6: true }), timedOut: false },
      answer({ kind: 'pending', message: 'The reserved IP has a pending event', droplet: false }),
      paused,
      { kind: 'watched', record: at(GREEN, { v6: true }), timedOut: false }
    ],
    effects: ['read', 'send', 'pause', 'watch', 'send', 'pause', 'watch', 'done'],
    outcome: { changed: 'yes', finalOn: GREEN }
  },
  {
    rule: "a repeat answered with the droplet's own pending event: waited out, read, sent again (not counted)",
    seen: [
      read(BLUE),
      unclear,
      paused,
      read(BLUE),
      answer({ kind: 'pending', message: 'Droplet already has a pending event.', droplet: true }),
      paused,
      read(BLUE),
      accepted(),
      ended,
      read(GREEN)
    ],
    effects: ['read', 'send', 'pause', 'read', 'send', 'pause', 'read', 'send', 'wait', 'confirm-read', 'done'],
    outcome: { changed: 'yes', finalOn: GREEN }
  },
  {
    rule: 'a pending event with no lost answer before it: waited out, and the change decided again on a fresh read',
    req: { expected: BLUE },
    seen: [read(BLUE), answer({ kind: 'pending', message: 'busy', droplet: false }), paused, read(PURPLE)],
    effects: ['read', 'send', 'pause', 'read', 'done'],
    outcome: { changed: 'no', finalOn: PURPLE, before: at(PURPLE), error: /expected_droplet_id/ }
  },
  {
    rule: 'a plain refusal with no lost answer before it changes nothing',
    seen: [read(BLUE), answer({ kind: 'refused', error: 'HTTP 422 region' })],
    effects: ['read', 'send', 'done'],
    outcome: { changed: 'no', finalOn: BLUE, error: /region/ }
  },
  {
    rule: 'the step stops while its action runs: in-progress, changed unknown (reported changed), from a read after',
    seen: [read(BLUE), accepted(), { kind: 'stopped', why: "the step's timeout ran out" }, read(BLUE)],
    effects: ['read', 'send', 'wait', 'report-read', 'done'],
    outcome: { changed: 'unknown', actionStatus: 'in-progress', finalOn: BLUE, error: /may still complete/ }
  },
  {
    rule: 'an errored action that left the address where it was: changed=false',
    seen: [read(BLUE), accepted(), { kind: 'ended', status: 'errored' }, read(BLUE)],
    effects: ['read', 'send', 'wait', 'report-read', 'done'],
    outcome: { changed: 'no', actionStatus: 'errored', finalOn: BLUE, error: /errored/ }
  },
  {
    rule: 'wait: false: the action is started, the address read, the outcome in-progress',
    req: { wait: false },
    seen: [read(BLUE), accepted(), read(BLUE, { locked: true })],
    effects: ['read', 'send', 'report-read', 'done'],
    outcome: { changed: 'unknown', actionStatus: 'in-progress' }
  },
  {
    rule: 'after a lost answer the read fails: unknown, said as such',
    seen: [read(BLUE), unclear, paused, failedRead, failedRead],
    effects: ['read', 'send', 'pause', 'read', 'report-read', 'done'],
    outcome: { changed: 'unknown', finalOn: 'unknown', error: /unknown state/ }
  },
  {
    rule: 'after a lost answer the time runs out; the last read shows the IPv4 locked: in-progress, changed unknown',
    seen: [read(BLUE), unclear, { kind: 'stopped', why: "the step's timeout ran out" }, read(BLUE, { locked: true })],
    effects: ['read', 'send', 'pause', 'report-read', 'done'],
    outcome: { changed: 'unknown', actionStatus: 'in-progress', finalOn: BLUE, error: /could not be told/ }
  },
  {
    rule: 'refused with a pending event, then stopped, and the read that reports fails: changed=false, where it is unknown',
    seen: [
      read(BLUE),
      answer({ kind: 'pending', message: 'Droplet already has a pending event.', droplet: true }),
      { kind: 'stopped', why: 'the step was cancelled' },
      failedRead
    ],
    effects: ['read', 'send', 'pause', 'report-read', 'done'],
    outcome: { changed: 'no', finalOn: 'unknown', error: /cancelled.*unknown state.*operation: get/ }
  },
  {
    rule: 'the first read fails: nothing is sent, changed=false',
    seen: [failedRead],
    effects: ['read', 'done'],
    outcome: { changed: 'no', sent: false, error: /HTTP 503/ }
  }
]

describe('the change protocol of one address', () => {
  it.each(ROWS.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const { effects, outcome } = play(row.req ?? {}, row.seen)
    expect(effects).toEqual(row.effects)
    expect(outcome).toBeDefined()
    const { finalOn, error, ...fields } = row.outcome
    expect(outcome).toMatchObject(fields)
    if (finalOn === 'unknown') expect(outcome!.final).toBeUndefined()
    else if (finalOn !== undefined) expect(outcome!.final?.dropletId).toBe(finalOn)
    if (error) expect(outcome!.error).toMatch(error)
    else expect(outcome!.error).toBeUndefined()
  })
})

// ------------------------------------------------------------------ releases

function playRelease(
  seen: readonly ReleaseSeen[],
  waitWhileBusy = false
): { effects: ReleaseEffect['kind'][]; outcome?: ReleaseOutcome } {
  let state: ReleaseState = { req: { addr: V4, waitWhileBusy }, round: 0, resends: 0 }
  const effects: ReleaseEffect['kind'][] = []
  for (const observation of [{ kind: 'start' } as const, ...seen]) {
    const step = nextRelease(state, observation)
    state = step.state
    effects.push(step.effect.kind)
    if (step.effect.kind === 'done') return { effects, outcome: step.effect.outcome }
  }
  return { effects }
}

const free: ReleaseSeen = { kind: 'read', record: at(null) }
const gone: ReleaseSeen = { kind: 'read', record: null }
const lost: ReleaseSeen = { kind: 'answer', answer: { kind: 'unclear', reason: 'timed out' } }

describe('the release of one address', () => {
  it.each([
    [
      'read right before: free, sent once, released',
      [free, { kind: 'answer', answer: { kind: 'deleted' } }],
      ['read', 'send', 'done'],
      'released'
    ],
    ['assigned when read: never released', [{ kind: 'read', record: at(BLUE) }], ['read', 'done'], 'assigned'],
    [
      'busy when read (prune): spared',
      [{ kind: 'read', record: at(null, { locked: true }) }],
      ['read', 'done'],
      'busy'
    ],
    ['gone before anything was sent: changed=false', [gone], ['read', 'done'], 'gone'],
    [
      'lost answer, then a read shows it gone: released, may have been this step',
      [free, lost, gone],
      ['read', 'send', 'read', 'done'],
      'released'
    ],
    [
      'lost answer, then assigned by another workflow: spared and named, not sent again',
      [free, lost, { kind: 'read', record: at(GREEN) }],
      ['read', 'send', 'read', 'done'],
      'assigned'
    ],
    [
      'lost answer, still free: sent again after the read',
      [free, lost, free, { kind: 'answer', answer: { kind: 'deleted' } }],
      ['read', 'send', 'read', 'send', 'done'],
      'released'
    ],
    [
      'rate-limited (429, not processed): waited out, read again, and spared once another workflow assigned it',
      [
        free,
        { kind: 'answer', answer: { kind: 'rate-limited' } },
        { kind: 'paused' },
        { kind: 'read', record: at(GREEN) }
      ],
      ['read', 'send', 'pause', 'read', 'done'],
      'assigned'
    ],
    [
      'lost answer, then the read fails: unknown',
      [free, lost, { kind: 'read-failed', error: 'HTTP 503' }],
      ['read', 'send', 'read', 'done'],
      'unknown'
    ],
    [
      'lost answer, then the time runs out: one more read reports it',
      [free, lost, free, { kind: 'answer', answer: { kind: 'not-sent', error: 'timeout' } }, free],
      ['read', 'send', 'read', 'send', 'read', 'done'],
      'failed'
    ]
  ] as const)('%s', (_rule, seen, effects, kind) => {
    const played = playRelease(seen)
    expect(played.effects).toEqual(effects)
    expect(played.outcome?.kind).toBe(kind)
  })

  it('a 404 after a lost answer says this step may have released it', () => {
    const { outcome } = playRelease([free, lost, gone])
    expect(outcome).toMatchObject({ kind: 'released', unsure: expect.stringMatching(/may have released it/) })
  })

  it('delete waits out a busy address, then releases it', () => {
    const busy: ReleaseSeen = { kind: 'read', record: at(null, { locked: true }) }
    const played = playRelease([busy, { kind: 'paused' }, free, { kind: 'answer', answer: { kind: 'deleted' } }], true)
    expect(played.effects).toEqual(['read', 'pause', 'read', 'send', 'done'])
    expect(played.outcome?.kind).toBe('released')
  })
})
