/** prune: the scheduled cleanup of unassigned reserved IPs. */
import { describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator } from '../../sim/simulator.js'
import { simulatorForEachTest } from '../helpers/simulator.js'
import { runInProcess, simMs } from '../helpers/support.js'
import { cellText } from '../../src/report/cells.js'

let sim: Simulator
let web: number

simulatorForEachTest({ actionDurationMs: simMs(100) }, (started) => {
  sim = started
  web = sim.addDroplet({ name: 'web-1', region: 'nyc3' }).id
})

type Entry = { ip: string; ip_version: number; region: string; droplet_id: number | null }
const entries = (json: string): Entry[] => JSON.parse(json) as Entry[]

describe('prune', () => {
  it('releases every unassigned IP of both families and spares the assigned ones', async () => {
    const used4 = sim.addIp({ version: 4, dropletId: web }).ip
    const used6 = sim.addIp({ version: 6, dropletId: web }).ip
    const free4 = sim.addIp({ version: 4 }).ip
    const free6 = sim.addIp({ version: 6, region: 'sfo3' }).ip
    const { result } = await runInProcess(sim.url, { operation: 'prune' })
    expect(
      sim
        .ips()
        .map((r) => r.ip)
        .sort()
    ).toEqual([used4, used6].sort())
    const released = entries(result!.outputs.ips)
    expect(released.map((e) => e.ip).sort()).toEqual([free4, free6].sort())
    expect(released.find((e) => e.ip === free6)).toEqual({ ip: free6, ip_version: 6, region: 'sfo3', droplet_id: null })
    expect(result!.outputs).toMatchObject({ count: '2', changed: 'true' })
    expect(sim.countRequests({ method: 'DELETE' })).toBe(2)
  })

  it('releases nothing in a dry run and reports what would go', async () => {
    const free = [sim.addIp({ version: 4 }).ip, sim.addIp({ version: 6 }).ip]
    sim.addIp({ version: 4, dropletId: web })
    const { result } = await runInProcess(sim.url, { operation: 'prune', dry_run: 'true' })
    expect(
      entries(result!.outputs.ips)
        .map((e) => e.ip)
        .sort()
    ).toEqual(free.sort())
    expect(result!.outputs).toMatchObject({ count: '2', changed: 'false' })
    expect(sim.ips()).toHaveLength(3)
    expect(sim.countRequests({ method: 'DELETE' })).toBe(0)
    expect(result!.summary.title).toMatch(/dry run/)
  })

  it('never releases an address in keep', async () => {
    const kept = sim.addIp({ version: 6 }).ip
    const other = sim.addIp({ version: 4 }).ip
    const { result } = await runInProcess(sim.url, { operation: 'prune', keep: `${kept.toUpperCase()}\n` })
    expect(sim.getIp(kept)).toBeDefined()
    expect(sim.getIp(other)).toBeUndefined()
    expect(entries(result!.outputs.ips).map((e) => e.ip)).toEqual([other])
    const reasons = result!.summary.tables[0]!.rows.filter((r) => cellText(r[0]!) === kept)
    expect(reasons[0]).toContain('listed in keep')
  })

  it('filters by region and family', async () => {
    const target = sim.addIp({ version: 4, region: 'ams3' }).ip
    const otherRegion = sim.addIp({ version: 4, region: 'nyc3' }).ip
    const otherFamily = sim.addIp({ version: 6, region: 'ams3' }).ip
    const { result } = await runInProcess(sim.url, { operation: 'prune', region: 'ams3', ip_version: '4' })
    expect(entries(result!.outputs.ips).map((e) => e.ip)).toEqual([target])
    expect(sim.getIp(otherRegion)).toBeDefined()
    expect(sim.getIp(otherFamily)).toBeDefined()
    expect(sim.countRequests({ path: '/v2/reserved_ipv6' })).toBe(0)
  })

  it('spares an IP that a deploy assigns between the listing and the release', async () => {
    const racing = sim.addIp({ version: 4 }).ip
    const idle = sim.addIp({ version: 4 }).ip
    // A concurrent deploy grabs the address right after prune has listed it as free.
    let listed = false
    sim.onRequest((req) => {
      if (req.method === 'GET' && req.path === '/v2/reserved_ips') listed = true
      else if (listed && req.method === 'GET' && req.path === `/v2/reserved_ips/${racing}`) sim.assignNow(racing, web)
    })
    const { result, logs } = await runInProcess(sim.url, { operation: 'prune', ip_version: '4' })
    expect(sim.getIp(racing)?.dropletId).toBe(web)
    expect(sim.getIp(idle)).toBeUndefined()
    expect(entries(result!.outputs.ips).map((e) => e.ip)).toEqual([idle])
    expect(sim.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/v2/reserved_ips/${idle}`])
    expect(logs.join('\n')).toMatch(
      new RegExp(`Spared ${racing.replace(/\./g, '\\.')}: assigned to droplet ${web} meanwhile`)
    )
    const row = result!.summary.tables[0]!.rows.find((r) => cellText(r[0]!) === racing)
    expect(row?.[2]).toBe('spared')
  })

  it('goes on past an IP it cannot release, and fails the step naming it', async () => {
    const stuck = sim.addIp({ version: 4 }).ip
    const fine = sim.addIp({ version: 6 }).ip
    sim.inject({ method: 'DELETE', path: `/v2/reserved_ips/${stuck}`, kind: 'status', status: 500, times: 100 })
    const { result } = await runInProcess(sim.url, { operation: 'prune' })
    expect(sim.getIp(stuck)).toBeDefined()
    expect(sim.getIp(fine)).toBeUndefined()
    expect(entries(result!.outputs.ips).map((e) => e.ip)).toEqual([fine])
    expect(result!.error).toContain(`could not be released: ${stuck}`)
    expect(result!.summary.tables[0]!.rows.find((r) => cellText(r[0]!) === stuck)?.[2]).toBe('failed')
  })

  it('spares an IP that is busy with an action', async () => {
    const busy = sim.addIp({ version: 4 }).ip
    sim.lock(busy, Infinity)
    const { result } = await runInProcess(sim.url, { operation: 'prune' })
    expect(sim.getIp(busy)).toBeDefined()
    expect(result!.outputs.count).toBe('0')
    expect(sim.countRequests({ method: 'DELETE' })).toBe(0)
  })

  it('counts an IP already released by someone else as gone, not as released', async () => {
    const vanishing = sim.addIp({ version: 6 }).ip
    let listed = false
    sim.onRequest((req) => {
      if (req.method === 'GET' && req.path === '/v2/reserved_ipv6') listed = true
      else if (listed && req.method === 'GET' && req.path.startsWith('/v2/reserved_ipv6/')) sim.removeIp(vanishing)
    })
    const { result } = await runInProcess(sim.url, { operation: 'prune', ip_version: '6' })
    expect(result!.outputs.count).toBe('0')
    expect(sim.countRequests({ method: 'DELETE' })).toBe(0)
  })
})

describe('prune under an enforced rate limit', () => {
  it('releases everything, waiting out the limit instead of failing', async () => {
    const limited = await startSimulator({ rateLimit: { perMinute: 40, timeScale: 60 } }) // a 1 s window
    try {
      for (let i = 0; i < 40; i++) limited.addIp({ version: i % 4 === 0 ? 6 : 4 })
      const t0 = Date.now()
      const { result, error } = await runInProcess(limited.url, { operation: 'prune', max_release: '40' })
      expect(error).toBeUndefined()
      expect(result!.error).toBeUndefined()
      expect(result!.outputs.count).toBe('40')
      expect(limited.ips()).toHaveLength(0)
      // 82 requests at 40 per 1 s window: at least two windows of waiting, and not much more. A
      // release answered 429 is sent again only after one more read of its address.
      const limitedReleases = limited.requests.filter((r) => r.method === 'DELETE' && r.status === 429).length
      expect(limited.requests.filter((r) => r.status !== 429)).toHaveLength(82 + limitedReleases)
      expect(Date.now() - t0).toBeGreaterThanOrEqual(2000)
      expect(Date.now() - t0).toBeLessThan(15_000)
      expect(limited.violations).toEqual([])
    } finally {
      await limited.close()
    }
  })
})
