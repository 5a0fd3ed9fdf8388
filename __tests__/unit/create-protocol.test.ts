/**
 * The create's change protocol as a table, with no HTTP at all: each row plays observations through
 * nextCreate() and checks the effects it asked for and the outcome it ends in. The rows follow the
 * contract: guard right before sending, send once, a pending event waited out, never a second create
 * after an unclear answer, which is followed by a read that may name the address.
 */
import { describe, expect, it } from '@jest/globals'
import type { IpRecord } from '../../src/do/ips.js'
import {
  initialCreate,
  nextCreate,
  type CreateEffect,
  type CreateOutcome,
  type CreatePlan,
  type CreateSeen
} from '../../src/engine/create-protocol.js'
import { playMachine } from '../helpers/machine.js'

const DROPLET = 42
const record: IpRecord = {
  ip: '203.0.113.20',
  version: 4,
  region: 'nyc3',
  dropletId: DROPLET,
  dropletName: '',
  locked: false,
  raw: null
}
const accepted: CreateSeen = { kind: 'answer', answer: { kind: 'accepted', created: { record, actionId: 7 } } }
const unclear: CreateSeen = { kind: 'answer', answer: { kind: 'unclear', reason: 'connection reset' } }
const pending: CreateSeen = {
  kind: 'answer',
  answer: { kind: 'pending', message: 'Droplet already has a pending event.' }
}
const ok: CreateSeen = { kind: 'guarded' }

const REGION: CreatePlan = { version: 4 }
const ONTO: CreatePlan = { version: 4, target: DROPLET, dropletId: DROPLET }
const V6_ONTO: CreatePlan = { version: 6, target: DROPLET }

const play = (plan: CreatePlan, seen: readonly CreateSeen[]) =>
  playMachine<ReturnType<typeof initialCreate>, CreateSeen, CreateEffect, CreateOutcome>(
    nextCreate,
    initialCreate(plan),
    [{ kind: 'start' }, ...seen]
  )

interface Row {
  readonly rule: string
  readonly plan: CreatePlan
  readonly seen: readonly CreateSeen[]
  readonly effects: readonly CreateEffect['kind'][]
  readonly outcome: CreateOutcome['kind']
  readonly error?: RegExp
  readonly found?: string
}

const ROWS: readonly Row[] = [
  {
    rule: 'in a region: sent once, reserved',
    plan: REGION,
    seen: [accepted],
    effects: ['send', 'done'],
    outcome: 'reserved'
  },
  {
    rule: 'onto a droplet: the droplet is read right before the create',
    plan: ONTO,
    seen: [ok, accepted],
    effects: ['guard', 'send', 'done'],
    outcome: 'reserved'
  },
  {
    rule: 'a reserved IPv6 for a droplet without IPv6 is refused before anything is reserved',
    plan: V6_ONTO,
    seen: [{ kind: 'guarded', problem: 'droplet 42 does not have IPv6 enabled. Nothing was reserved.' }],
    effects: ['guard', 'done'],
    outcome: 'not-reserved',
    error: /does not have IPv6 enabled\. Nothing was reserved\.$/
  },
  {
    rule: 'the droplet cannot be read: nothing is sent',
    plan: ONTO,
    seen: [{ kind: 'guard-failed', error: 'HTTP 503' }],
    effects: ['guard', 'done'],
    outcome: 'not-reserved',
    error: /HTTP 503 Nothing was reserved\./
  },
  {
    rule: 'a pending event (nothing was reserved) is waited out, the droplet read again, the create sent again',
    plan: ONTO,
    seen: [ok, pending, { kind: 'paused' }, ok, accepted],
    effects: ['guard', 'send', 'pause', 'guard', 'send', 'done'],
    outcome: 'reserved'
  },
  {
    rule: 'a pending event until the timeout: nothing was reserved',
    plan: ONTO,
    seen: [ok, pending, { kind: 'stopped', why: "the step's timeout ran out" }],
    effects: ['guard', 'send', 'pause', 'done'],
    outcome: 'not-reserved',
    error: /timeout ran out/
  },
  {
    rule: 'an unclear answer onto a droplet: never sent again; the list is read and names the address',
    plan: ONTO,
    seen: [ok, unclear, { kind: 'found', record }],
    effects: ['guard', 'send', 'find', 'done'],
    outcome: 'lost',
    found: record.ip
  },
  {
    rule: 'an unclear answer onto a droplet, nothing found on it: lost, unknown',
    plan: ONTO,
    seen: [ok, unclear, { kind: 'found' }],
    effects: ['guard', 'send', 'find', 'done'],
    outcome: 'lost'
  },
  {
    rule: 'an unclear answer in a region: lost, never sent again',
    plan: REGION,
    seen: [unclear],
    effects: ['send', 'done'],
    outcome: 'lost'
  },
  {
    rule: "DigitalOcean's refusal: nothing was reserved, its message passed on",
    plan: REGION,
    seen: [{ kind: 'answer', answer: { kind: 'refused', error: 'HTTP 422 (quota exceeded)' } }],
    effects: ['send', 'done'],
    outcome: 'not-reserved',
    error: /quota exceeded\) Nothing was reserved\./
  },
  {
    rule: 'cancelled before it went out: nothing was reserved',
    plan: REGION,
    seen: [{ kind: 'answer', answer: { kind: 'not-sent', error: 'The step was cancelled.' } }],
    effects: ['send', 'done'],
    outcome: 'not-reserved'
  }
]

describe('the change protocol of a create', () => {
  it.each(ROWS.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const { effects, outcome } = play(row.plan, row.seen)
    expect(effects).toEqual(row.effects)
    expect(outcome?.kind).toBe(row.outcome)
    if (row.error) expect(outcome).toMatchObject({ error: expect.stringMatching(row.error) })
    if (row.found) expect(outcome).toMatchObject({ found: { ip: row.found } })
    // Never a second create once an answer was unclear.
    const lost = row.seen.indexOf(unclear)
    if (lost >= 0) expect(effects.slice(lost + 1)).not.toContain('send')
  })
})
