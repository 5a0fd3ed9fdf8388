/** The simulator's parts that prune's guards read: DNS zones and records, IP action history, reserved_at, scopes. */
import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/simulator.js'
import { simulatorStartedByTest } from '../helpers/simulator.js'

let sim: Simulator | undefined

const start = simulatorStartedByTest({}, (started) => {
  sim = started
})

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sim!.url}${path}`, { headers: { authorization: `Bearer ${sim!.token}` } })
  return { status: res.status, body: await res.json() }
}

const HOUR = 3_600_000

describe('DNS zones and records', () => {
  it('lists zones and their records page by page, as DigitalOcean shows them', async () => {
    const s = await start({ pageDefault: 2 })
    for (const name of ['a.example', 'B.example', 'c.example']) s.addDomain(name)
    s.addRecord('a.example', { type: 'A', data: '203.0.113.10' })
    s.addRecord('a.example', { type: 'AAAA', name: 'www', data: '2001:DB8:10::1' })
    s.addRecord('a.example', { type: 'CNAME', name: 'api', data: 'a.example.' })
    const zones = await get('/v2/domains')
    expect(zones.body.domains.map((d: { name: string }) => d.name)).toEqual(['a.example', 'b.example'])
    expect(zones.body.meta.total).toBe(3)
    expect(zones.body.links.pages.next).toContain('page=2')
    expect((await get('/v2/domains?page=2')).body.domains).toHaveLength(1)
    const first = await get('/v2/domains/a.example/records')
    expect(first.body.domain_records.map((r: { type: string }) => r.type)).toEqual(['A', 'AAAA'])
    expect(first.body.domain_records[1]).toMatchObject({ name: 'www', data: '2001:DB8:10::1', ttl: 1800 })
    expect((await get('/v2/domains/a.example/records?page=2&per_page=2')).body.domain_records).toHaveLength(1)
    expect((await get('/v2/domains/a.example/records?type=AAAA')).body.domain_records).toHaveLength(1)
    expect((await get('/v2/domains/a.example/records?name=www.a.example')).body.domain_records).toHaveLength(1)
    expect((await get('/v2/domains/none.example/records')).status).toBe(404)
  })

  it('answers 403 for a token without domain:read, and only for DNS', async () => {
    const s = await start()
    s.addDomain('example.com')
    const ip = s.addIp({ version: 4 }).ip
    s.denyScope('domain:read')
    expect(await get('/v2/domains')).toMatchObject({ status: 403, body: { id: 'Forbidden' } })
    expect((await get('/v2/domains/example.com/records')).status).toBe(403)
    expect((await get(`/v2/reserved_ips/${ip}`)).status).toBe(200)
    s.allowScope('domain:read')
    expect((await get('/v2/domains')).status).toBe(200)
    expect(() => s.denyScope('domains:write' as never)).toThrow(/unknown scope/)
  })
})

describe('action history and reserved_at', () => {
  it('lists the past actions of a reserved IPv4 with their times, before those started through it', async () => {
    const s = await start()
    const web = s.addDroplet({ name: 'web' }).id
    const reserved = Date.now() - 48 * HOUR
    const unassigned = Date.now() - 2 * HOUR
    const ip = s.addIp({
      version: 4,
      history: [
        { type: 'unassign_ip', completedAt: new Date(unassigned).toISOString() },
        { type: 'reserve_ip', completedAt: reserved }
      ]
    }).ip
    const res = await fetch(`${s.url}/v2/reserved_ips/${ip}/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'assign', droplet_id: web })
    })
    expect(res.status).toBe(201)
    const { body } = await get(`/v2/reserved_ips/${ip}/actions`)
    const listed = body.actions.map((a: { type: string; status: string; completed_at: string | null }) => [
      a.type,
      a.status,
      a.completed_at === null ? null : Date.parse(a.completed_at)
    ])
    expect(listed).toEqual([
      ['reserve_ip', 'completed', Math.floor(reserved / 1000) * 1000],
      ['unassign_ip', 'completed', Math.floor(unassigned / 1000) * 1000],
      ['assign_ip', 'in-progress', null]
    ])
    // Past actions are no actions of the simulator's own.
    expect(s.actions()).toHaveLength(1)
  })

  it('lists the newest first when asked to, and forgets the history of a released IP', async () => {
    const s = await start({ actionsNewestFirst: true })
    const ip = s.addIp({ version: 4, history: [{ type: 'reserve_ip', completedAt: Date.now() - HOUR }] }).ip
    s.addIpAction(ip, { type: 'unassign_ip', status: 'errored', completedAt: Date.now() })
    const { body } = await get(`/v2/reserved_ips/${ip}/actions`)
    expect(body.actions.map((a: { type: string; status: string }) => `${a.type} ${a.status}`)).toEqual([
      'unassign_ip errored',
      'reserve_ip completed'
    ])
    expect(body.actions[0].id).toBeGreaterThan(body.actions[1].id)
    s.removeIp(ip)
    s.addIp({ ip, version: 4 })
    expect((await get(`/v2/reserved_ips/${ip}/actions`)).body.actions).toEqual([])
  })

  it('shows reserved_at of a reserved IPv6 as given, and has no history for IPv6', async () => {
    const s = await start()
    const at = Date.parse('2026-01-02T03:04:05Z')
    const ip = s.addIp({ version: 6, reservedAt: at }).ip
    expect((await get(`/v2/reserved_ipv6/${ip}`)).body.reserved_ipv6.reserved_at).toBe('2026-01-02T03:04:05Z')
    expect(() => s.addIp({ version: 6, history: [] })).toThrow(/only a reserved IPv4/)
    expect(() => s.addIp({ version: 4, history: [{ type: 'x', completedAt: 'soon' }] })).toThrow(/not a time/)
    expect(s.ips()).toHaveLength(1)
  })
})
