/** prune's guards as pure functions: what each spares, and why. */
import { describe, expect, it } from '@jest/globals'
import type { AddressRecord } from '../../src/do/dns.js'
import type { ActionHistory, PastAction } from '../../src/do/actions.js'
import {
  dnsIndex,
  idleFromHistory,
  idleFromReservedAt,
  overMaxRelease,
  spareByIdle,
  spareByName,
  spareText
} from '../../src/engine/prune-guards.js'
import { durationText } from '../../src/words.js'

const HOUR = 3_600_000
const NOW = Date.parse('2026-06-01T12:00:00Z')

let nextId = 100
function action(type: string, hoursAgo: number | undefined, status = 'completed'): PastAction {
  const completedAt = hoursAgo === undefined ? undefined : NOW - hoursAgo * HOUR
  return { id: nextId++, type, status, startedAt: completedAt, completedAt }
}

const history = (actions: PastAction[], more = false, total?: number): ActionHistory => ({ actions, more, total })

describe('keep and keep_dns', () => {
  const records: AddressRecord[] = [
    { zone: 'example.com', name: '@', type: 'A', address: '203.0.113.10' },
    { zone: 'example.com', name: 'www', type: 'A', address: '203.0.113.10' },
    { zone: 'example.org', name: 'v6', type: 'AAAA', address: '2001:db8::10' },
    { zone: 'example.org', name: 'v6', type: 'AAAA', address: '2001:db8::10' }
  ]
  const index = dnsIndex(records)

  it('names every record that points at an address, once each', () => {
    expect(spareByName('203.0.113.10', new Set(), index)).toEqual({
      kind: 'dns',
      records: ['example.com (A)', 'www.example.com (A)']
    })
    expect(spareText(spareByName('2001:db8::10', new Set(), index)!)).toBe('DNS record v6.example.org (AAAA)')
    expect(spareByName('203.0.113.11', new Set(), index)).toBeUndefined()
  })

  it('puts keep first, and spares nothing by DNS without keep_dns', () => {
    expect(spareByName('203.0.113.10', new Set(['203.0.113.10']), index)).toEqual({ kind: 'keep' })
    expect(spareByName('203.0.113.10', new Set(), undefined)).toBeUndefined()
  })
})

describe('unassigned_for: idle time of an IPv4 from its actions', () => {
  it('counts from the latest completed action, in whatever order the page lists them', () => {
    const idle = idleFromHistory(history([action('reserve_ip', 48), action('unassign_ip', 3), action('assign_ip', 20)]))
    expect(idle).toMatchObject({ known: true, since: NOW - 3 * HOUR })
    expect(idle.known && idle.evidence).toBe('unassign_ip completed 2026-06-01T09:00:00Z')
  })

  it('counts from an errored action after it: someone was at work on the address', () => {
    const idle = idleFromHistory(history([action('unassign_ip', 30), action('assign_ip', 1, 'errored')]))
    expect(idle).toMatchObject({ known: true, since: NOW - HOUR })
  })

  it.each([
    ['no action on record', []],
    ['no completed action on record', [action('assign_ip', 2, 'errored')]],
    ['its latest action is an assign (2026-06-01T10:00:00Z)', [action('unassign_ip', 9), action('assign_ip', 2)]]
  ])('is unknown, so spared, with %s', (why, actions) => {
    const idle = idleFromHistory(history(actions))
    expect(idle).toMatchObject({ known: false, busy: false })
    expect(!idle.known && idle.why).toContain(why)
    expect(spareByIdle(idle, HOUR, NOW)).toMatchObject({ kind: 'idle-unknown' })
  })

  it('is busy while an action is in progress', () => {
    const idle = idleFromHistory(history([action('unassign_ip', 9), action('assign_ip', undefined, 'in-progress')]))
    expect(spareByIdle(idle, HOUR, NOW)).toEqual({ kind: 'busy', why: 'an action is in progress on it' })
  })

  it('trusts a first page of several only when it lists the newest first', () => {
    const oldestFirst = [action('reserve_ip', 90), action('unassign_ip', 50)]
    const unknown = idleFromHistory(history(oldestFirst, true, 25))
    expect(!unknown.known && unknown.why).toBe(
      'its 25 actions fill several pages, and the first does not list the newest'
    )
    const newestFirst = [action('assign_ip', 60), action('unassign_ip', 5)].reverse()
    expect(idleFromHistory(history(newestFirst, true, 25))).toMatchObject({ known: true, since: NOW - 5 * HOUR })
  })
})

describe('unassigned_for: the verdict', () => {
  it('spares what has been idle less than asked, and lets the rest go', () => {
    const idle = idleFromHistory(history([action('unassign_ip', 0.5)]))
    expect(spareByIdle(idle, HOUR, NOW)).toEqual({ kind: 'idle-short', idleMs: HOUR / 2, minMs: HOUR })
    expect(spareText(spareByIdle(idle, HOUR, NOW)!)).toBe('idle too short: 30 min, less than unassigned_for (1 h)')
    expect(spareByIdle(idle, HOUR / 2, NOW)).toBeUndefined()
  })

  it('counts an IPv6 from reserved_at, and spares one without it', () => {
    expect(spareByIdle(idleFromReservedAt(NOW - 49 * HOUR), 48 * HOUR, NOW)).toBeUndefined()
    expect(spareByIdle(idleFromReservedAt(NOW - HOUR), 48 * HOUR, NOW)).toMatchObject({ kind: 'idle-short' })
    expect(spareByIdle(idleFromReservedAt(undefined), HOUR, NOW)).toEqual({
      kind: 'idle-unknown',
      why: 'no reserved_at on record'
    })
  })

  it('takes a time in the future (a skewed clock) as idle for no time at all', () => {
    expect(spareByIdle(idleFromReservedAt(NOW + HOUR), 1000, NOW)).toMatchObject({ kind: 'idle-short', idleMs: 0 })
  })
})

describe('max_release and how times read', () => {
  it('holds back more than max_release, and allows exactly that many', () => {
    expect(overMaxRelease(11, 10)).toBe(true)
    expect(overMaxRelease(10, 10)).toBe(false)
    expect(overMaxRelease(1, 0)).toBe(true)
  })

  it('writes durations as people read them', () => {
    expect([45_000, 12 * 60_000, 3 * HOUR + 5 * 60_000, 2 * HOUR, 52 * HOUR, 72 * HOUR].map(durationText)).toEqual([
      '45 s',
      '12 min',
      '3 h 5 min',
      '2 h',
      '2 d 4 h',
      '3 d'
    ])
  })
})
