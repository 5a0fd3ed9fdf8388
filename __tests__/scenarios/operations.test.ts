/** Every operation, through real HTTP to the simulator. */
import { describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator } from '../../sim/simulator.js'
import { simulatorForEachTest } from '../helpers/simulator.js'
import { atRequest, passTime, runInProcess, simMs, stopDate } from '../helpers/support.js'

let sim: Simulator
let blue: number
let green: number
let faraway: number

simulatorForEachTest({ actionDurationMs: simMs(150) }, (started) => {
  sim = started
  blue = sim.addDroplet({ name: 'blue-1', region: 'nyc3', tags: ['blue'] }).id
  green = sim.addDroplet({ name: 'green-1', region: 'nyc3', tags: ['green'] }).id
  faraway = sim.addDroplet({ name: 'far-1', region: 'sfo3', tags: ['far'] }).id
})

const mutations = (): number => sim.requests.filter((r) => r.method === 'POST' || r.method === 'DELETE').length

describe('assign', () => {
  it('moves an IPv4 from blue to green and reports the new state', async () => {
    const ip = sim.addIp({ version: 4, region: 'nyc3', dropletId: blue }).ip
    const { result, error } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(error).toBeUndefined()
    expect(sim.getIp(ip)?.dropletId).toBe(green)
    const out = result!.outputs
    expect(out).toMatchObject({
      ip,
      ip_version: '4',
      droplet_id: String(green),
      previous_droplet_id: String(blue),
      region: 'nyc3',
      action_status: 'completed',
      changed: 'true',
      ips: '',
      count: ''
    })
    expect(Number(out.action_id)).toBe(sim.actions()[0]!.id)
    expect(JSON.parse(out.json).ip).toBe(ip)
    expect(JSON.parse(out.json).droplet.id).toBe(green)
    expect(mutations()).toBe(1)
    expect(result!.error).toBeUndefined()
  })

  it('sends nothing when the IP is already on the droplet', async () => {
    const ip = sim.addIp({ version: 4, dropletId: green }).ip
    const { result } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(result!.outputs).toMatchObject({
      changed: 'false',
      action_id: '',
      action_status: '',
      droplet_id: String(green),
      previous_droplet_id: String(green)
    })
    expect(mutations()).toBe(0)
  })

  it('moves a reserved IPv6, written in any form', async () => {
    const ip = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    const loud = ip.toUpperCase()
    const { result, error } = await runInProcess(sim.url, { operation: 'assign', ip: loud, droplet_name: 'green-1' })
    expect(error).toBeUndefined()
    expect(sim.getIp(ip)?.dropletId).toBe(green)
    expect(result!.outputs).toMatchObject({
      ip,
      ip_version: '6',
      droplet_id: String(green),
      previous_droplet_id: String(blue),
      changed: 'true',
      action_status: 'completed'
    })
  })

  it('matches droplet_name exactly: GREEN-1 is not green-1, and nothing moves', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const { error } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_name: 'GREEN-1' })
    expect(error?.message).toContain("droplet_name 'GREEN-1' matches no droplet exactly")
    expect(error?.message).toContain(`${green} (green-1`)
    expect(sim.getIp(ip)?.dropletId).toBe(blue)
    expect(mutations()).toBe(0)
  })

  it('resolves droplet_tag to exactly one droplet', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const { result } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_tag: 'green' })
    expect(result!.outputs.droplet_id).toBe(String(green))
    expect(sim.getIp(ip)?.dropletId).toBe(green)
  })

  it('refuses a tag that matches several droplets, naming them, and changes nothing', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const second = sim.addDroplet({ name: 'green-2', region: 'nyc3', tags: ['green'] }).id
    const { error } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_tag: 'green' })
    expect(error?.message).toContain('matches 2 droplets')
    expect(error?.message).toContain(`${green} (green-1`)
    expect(error?.message).toContain(`${second} (green-2`)
    expect(sim.getIp(ip)?.dropletId).toBe(blue)
    expect(mutations()).toBe(0)
  })

  it('refuses a name that matches no droplet', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const { error } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_name: 'purple-1' })
    expect(error?.message).toContain("droplet_name 'purple-1' matches no droplet")
    expect(mutations()).toBe(0)
  })

  it('refuses when expected_droplet_id does not hold the IP', async () => {
    const ip = sim.addIp({ version: 4, dropletId: green }).ip
    const { error } = await runInProcess(sim.url, {
      operation: 'assign',
      ip,
      droplet_id: String(blue),
      expected_droplet_id: String(faraway)
    })
    expect(error?.message).toMatch(/expected_droplet_id/)
    expect(sim.getIp(ip)?.dropletId).toBe(green)
    expect(mutations()).toBe(0)
  })

  it('goes ahead when expected_droplet_id matches, and rolls back by previous_droplet_id', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const cut = await runInProcess(sim.url, {
      operation: 'assign',
      ip,
      droplet_tag: 'green',
      expected_droplet_id: String(blue)
    })
    expect(cut.result!.outputs.previous_droplet_id).toBe(String(blue))
    const back = await runInProcess(sim.url, {
      operation: 'assign',
      ip,
      droplet_id: cut.result!.outputs.previous_droplet_id!,
      expected_droplet_id: cut.result!.outputs.droplet_id!
    })
    expect(back.error).toBeUndefined()
    expect(sim.getIp(ip)?.dropletId).toBe(blue)
    expect(back.result!.outputs.previous_droplet_id).toBe(String(green))
  })

  it('expected_droplet_id none guards an unassigned IP', async () => {
    const ip = sim.addIp({ version: 4, dropletId: null }).ip
    const ok = await runInProcess(sim.url, {
      operation: 'assign',
      ip,
      droplet_id: String(green),
      expected_droplet_id: 'none'
    })
    expect(ok.error).toBeUndefined()
    const refused = await runInProcess(sim.url, {
      operation: 'assign',
      ip,
      droplet_id: String(blue),
      expected_droplet_id: 'none'
    })
    expect(refused.error?.message).toMatch(/expected_droplet_id/)
    expect(sim.getIp(ip)?.dropletId).toBe(green)
  })

  it('says so when the droplet is in another region (known from the name)', async () => {
    const ip = sim.addIp({ version: 4, region: 'nyc3', dropletId: blue }).ip
    const { error } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_name: 'far-1' })
    expect(error?.message).toMatch(/region sfo3.*nyc3/)
    expect(mutations()).toBe(0)
  })

  it('says so when the droplet is in another region (reported by the API)', async () => {
    const ip = sim.addIp({ version: 4, region: 'nyc3', dropletId: blue }).ip
    const { error } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(faraway) })
    expect(error?.message).toMatch(/another region/)
    expect(error?.message).toMatch(/HTTP 422/)
    expect(sim.getIp(ip)?.dropletId).toBe(blue)
  })

  it('says so when droplet_id names no droplet, and changes nothing', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const { error } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: '999999' })
    expect(error?.message).toMatch(/Droplet 999999 was not found/)
    expect(sim.getIp(ip)?.dropletId).toBe(blue)
    expect(sim.actions()).toHaveLength(0)
  })

  it('explains a 404 for an IP that is not reserved', async () => {
    const { error } = await runInProcess(sim.url, { operation: 'assign', ip: '192.0.2.99', droplet_id: String(green) })
    expect(error?.message).toMatch(/192\.0\.2\.99 is not a reserved IPv4 address in this account/)
    expect(mutations()).toBe(0)
  })

  it('returns at once with wait: false', async () => {
    sim.setActionDuration(Infinity)
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const { result } = await runInProcess(sim.url, {
      operation: 'assign',
      ip,
      droplet_id: String(green),
      wait: 'false'
    })
    expect(result!.outputs.action_status).toBe('in-progress')
    expect(result!.outputs.action_id).toBe(String(sim.actions()[0]!.id))
    expect(sim.actions()[0]!.status).toBe('in-progress')
    expect(sim.countRequests({ method: 'GET', path: /^\/v2\/actions\// })).toBe(0)
  })

  it('fails with action_status errored when the action errors', async () => {
    sim.setActionOutcome(() => 'errored')
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const { result } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(result!.outputs.action_status).toBe('errored')
    expect(result!.error).toContain(`action ${result!.outputs.action_id}`)
    expect(result!.error).toContain('errored')
    expect(sim.getIp(ip)?.dropletId).toBe(blue)
  })

  it('decides from the IP when the action cannot be read (404)', async () => {
    sim.setActionOutcome(() => 'missing')
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const { result, logs } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(result!.error).toBeUndefined()
    expect(result!.outputs).toMatchObject({ action_status: 'completed', droplet_id: String(green) })
    expect(logs.join('\n')).toMatch(/cannot be read/)
  })

  it('keeps watching the IP while the action cannot be read and the change has not shown yet', async () => {
    sim.setActionOutcome(() => 'missing')
    // The change shows only at the step's second poll of the action.
    sim.setActionDuration(Infinity)
    atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 2, () => sim.finishActions())
    const ip = sim.addIp({ version: 6, dropletId: blue }).ip
    const { result, logs } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(logs.join('\n')).toMatch(/cannot be read \(404\); watching the IP instead/)
    expect(result!.error).toBeUndefined()
    expect(result!.outputs).toMatchObject({ action_status: 'completed', droplet_id: String(green) })
    expect(sim.countRequests({ method: 'GET', path: /^\/v2\/actions\// })).toBeGreaterThanOrEqual(2)
  })

  it('decides from the IP when the action reports an undocumented status', async () => {
    sim.setActionOutcome(() => 'done')
    const ip = sim.addIp({ version: 6, dropletId: blue }).ip
    const { result } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(result!.error).toBeUndefined()
    expect(result!.outputs).toMatchObject({ action_status: 'completed', droplet_id: String(green) })
  })

  it('reads the IP again when a read right after completion still shows the old droplet', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // Reads lag writes: when the action reads completed, the IP still shows blue; it shows green
    // from the step's second read after that.
    const readPath = { method: 'GET', path: `/v2/reserved_ips/${ip}` }
    let lagged = false
    sim.onRequest((req) => {
      if (lagged || req.method !== 'GET' || !req.path.startsWith('/v2/actions/')) return
      if (sim.actions()[0]?.status !== 'completed') return
      lagged = true
      sim.assignNow(ip, blue)
      atRequest(sim, readPath, 2, () => sim.assignNow(ip, green))
    })
    const { result } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green) })
    expect(lagged).toBe(true)
    expect(result!.outputs).toMatchObject({ droplet_id: String(green), action_status: 'completed' })
    expect(sim.countRequests(readPath)).toBeGreaterThanOrEqual(3)
  })

  it('fails at the timeout with the action id when the action never ends', async () => {
    sim.setActionDuration(Infinity)
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // The step's 2 s pass while the action's second poll is answered.
    stopDate()
    const polls = atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 2, () => passTime(2500))
    const t0 = performance.now()
    const { result } = await runInProcess(sim.url, { operation: 'assign', ip, droplet_id: String(green), timeout: '2' })
    expect(performance.now() - t0).toBeLessThan(8000)
    expect(polls()).toBe(2)
    expect(result!.outputs.action_status).toBe('in-progress')
    expect(result!.error).toContain(`Action ${result!.outputs.action_id}`)
    expect(result!.error).toMatch(/timeout/)
    expect(sim.actions().map((a) => a.status)).toEqual(['in-progress'])
  })
})

describe('unassign', () => {
  it('detaches the IP and reports the droplet it left', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const { result } = await runInProcess(sim.url, { operation: 'unassign', ip })
    expect(sim.getIp(ip)?.dropletId).toBeNull()
    expect(result!.outputs).toMatchObject({
      droplet_id: '',
      previous_droplet_id: String(blue),
      changed: 'true',
      action_status: 'completed'
    })
  })

  it('is a no-op on a free IP', async () => {
    const ip = sim.addIp({ version: 6, dropletId: null }).ip
    const { result } = await runInProcess(sim.url, { operation: 'unassign', ip })
    expect(result!.outputs).toMatchObject({ changed: 'false', action_id: '', action_status: '', droplet_id: '' })
    expect(mutations()).toBe(0)
  })

  it('honours expected_droplet_id', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const { error } = await runInProcess(sim.url, { operation: 'unassign', ip, expected_droplet_id: String(green) })
    expect(error?.message).toMatch(/expected_droplet_id/)
    expect(sim.getIp(ip)?.dropletId).toBe(blue)
  })
})

describe('create', () => {
  it('reserves an IPv4 in a region, with a project', async () => {
    const { result } = await runInProcess(sim.url, {
      operation: 'create',
      region: 'nyc3',
      project_id: '746c6152-2fa2-11ed-92d3-27aaa54e4988'
    })
    const ip = result!.outputs.ip!
    expect(sim.getIp(ip)).toMatchObject({
      version: 4,
      region: 'nyc3',
      dropletId: null,
      projectId: '746c6152-2fa2-11ed-92d3-27aaa54e4988'
    })
    expect(result!.outputs).toMatchObject({
      ip_version: '4',
      region: 'nyc3',
      changed: 'true',
      action_id: '',
      droplet_id: ''
    })
  })

  it('reserves an IPv4 straight onto a droplet and waits for the assignment', async () => {
    const { result } = await runInProcess(sim.url, { operation: 'create', droplet_tag: 'green' })
    const ip = result!.outputs.ip!
    expect(sim.getIp(ip)?.dropletId).toBe(green)
    expect(result!.outputs).toMatchObject({ droplet_id: String(green), action_status: 'completed', region: 'nyc3' })
    expect(result!.outputs.action_id).not.toBe('')
    expect(sim.countRequests({ method: 'POST' })).toBe(1)
  })

  it('waits for the IP itself when a create onto a droplet links no action', async () => {
    await sim.close()
    sim = await startSimulator({ actionDurationMs: Infinity, createWithoutActionLinks: true })
    // The assignment shows at the step's second read of the new IP.
    atRequest(sim, { method: 'GET', path: /^\/v2\/reserved_ips\/[^/]+$/ }, 2, () => sim.finishActions())
    const d = sim.addDroplet({ name: 'solo', region: 'nyc3' }).id
    const { result } = await runInProcess(sim.url, { operation: 'create', droplet_id: String(d) })
    expect(result!.error).toBeUndefined()
    expect(result!.outputs).toMatchObject({ droplet_id: String(d), action_id: '', changed: 'true' })
    expect(sim.getIp(result!.outputs.ip!)?.dropletId).toBe(d)
    expect(sim.countRequests({ method: 'POST' })).toBe(1)
  })

  it('reports an errored assignment of a new IPv4, which stays reserved', async () => {
    sim.setActionOutcome(() => 'errored')
    const { result } = await runInProcess(sim.url, { operation: 'create', droplet_id: String(green) })
    expect(result!.outputs).toMatchObject({ action_status: 'errored', changed: 'true', droplet_id: '' })
    expect(result!.error).toMatch(/errored.*stays reserved/)
    expect(sim.getIp(result!.outputs.ip!)).toMatchObject({ dropletId: null })
  })

  it('reserves an IPv6 in a region', async () => {
    const { result } = await runInProcess(sim.url, { operation: 'create', region: 'nyc3', ip_version: '6' })
    expect(sim.getIp(result!.outputs.ip!)).toMatchObject({ version: 6, region: 'nyc3' })
    expect(result!.outputs.ip_version).toBe('6')
  })

  it('reserves an IPv6 in the droplet region and then assigns it', async () => {
    const { result, error } = await runInProcess(sim.url, {
      operation: 'create',
      ip_version: '6',
      droplet_id: String(faraway)
    })
    expect(error).toBeUndefined()
    const ip = result!.outputs.ip!
    expect(sim.getIp(ip)).toMatchObject({ version: 6, region: 'sfo3', dropletId: faraway })
    expect(result!.outputs).toMatchObject({ droplet_id: String(faraway), action_status: 'completed', changed: 'true' })
  })

  it('refuses a region that disagrees with the droplet, before reserving anything', async () => {
    const { error } = await runInProcess(sim.url, { operation: 'create', region: 'nyc3', droplet_id: String(faraway) })
    expect(error?.message).toMatch(/sfo3/)
    expect(sim.ips()).toHaveLength(0)
  })

  it("passes DigitalOcean's quota message through", async () => {
    await sim.close()
    sim = await startSimulator({ actionDurationMs: simMs(100), maxIps: 1 })
    sim.addIp({ version: 4 })
    const { error } = await runInProcess(sim.url, { operation: 'create', region: 'nyc3' })
    expect(error?.message).toMatch(/HTTP 422/)
    expect(error?.message).toMatch(/limit/i)
    expect(sim.ips()).toHaveLength(1)
  })
})

describe('get', () => {
  it('reads an IPv4 and an IPv6', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'sfo3' }).ip
    const a = await runInProcess(sim.url, { operation: 'get', ip: v4 })
    expect(a.result!.outputs).toMatchObject({
      ip: v4,
      ip_version: '4',
      droplet_id: String(blue),
      region: 'nyc3',
      changed: 'false',
      action_id: ''
    })
    const b = await runInProcess(sim.url, { operation: 'get', ip: v6 })
    expect(b.result!.outputs).toMatchObject({ ip: v6, ip_version: '6', droplet_id: '', region: 'sfo3' })
    expect(JSON.parse(b.result!.outputs.json).ip).toBe(v6)
    expect(mutations()).toBe(0)
  })

  it('accepts a reserved_ipv6 answer without its wrapper key', async () => {
    await sim.close()
    sim = await startSimulator({ ipv6WithoutWrapper: true })
    const d = sim.addDroplet({ name: 'x', region: 'ams3' }).id
    const v6 = sim.addIp({ version: 6, region: 'ams3', dropletId: d }).ip
    const { result } = await runInProcess(sim.url, { operation: 'get', ip: v6 })
    expect(result!.outputs).toMatchObject({ ip: v6, droplet_id: String(d), region: 'ams3' })
  })

  it('fails clearly for an unknown IP', async () => {
    const { error } = await runInProcess(sim.url, { operation: 'get', ip: '2001:db8::dead' })
    expect(error?.message).toContain('2001:db8::dead is not a reserved IPv6 address in this account')
  })
})

describe('list', () => {
  it('follows every page of both families', async () => {
    for (let i = 0; i < 450; i++) sim.addIp({ version: 4, region: i % 2 ? 'nyc3' : 'sfo3' })
    for (let i = 0; i < 3; i++) sim.addIp({ version: 6, region: 'nyc3' })
    const { result } = await runInProcess(sim.url, { operation: 'list' })
    const ips = JSON.parse(result!.outputs.ips) as {
      ip: string
      ip_version: number
      region: string
      droplet_id: number | null
    }[]
    expect(ips).toHaveLength(453)
    expect(result!.outputs.count).toBe('453')
    expect(new Set(ips.map((e) => e.ip)).size).toBe(453)
    expect(ips[0]).toEqual({
      ip: expect.any(String),
      ip_version: expect.any(Number),
      region: expect.any(String),
      droplet_id: null
    })
    expect(sim.countRequests({ method: 'GET', path: '/v2/reserved_ips' })).toBe(3)
    expect(sim.countRequests({ method: 'GET', path: '/v2/reserved_ipv6' })).toBe(1)
  })

  it('filters by region and family', async () => {
    sim.addIp({ version: 4, region: 'nyc3', dropletId: blue })
    sim.addIp({ version: 4, region: 'sfo3' })
    sim.addIp({ version: 6, region: 'nyc3' })
    const { result } = await runInProcess(sim.url, { operation: 'list', region: 'nyc3', ip_version: '4' })
    const ips = JSON.parse(result!.outputs.ips) as { droplet_id: number | null; region: string }[]
    expect(ips).toEqual([expect.objectContaining({ region: 'nyc3', droplet_id: blue, ip_version: 4 })])
    expect(sim.countRequests({ path: '/v2/reserved_ipv6' })).toBe(0)
  })
})

describe('delete', () => {
  it('releases a free IP', async () => {
    const ip = sim.addIp({ version: 4 }).ip
    const { result } = await runInProcess(sim.url, { operation: 'delete', ip })
    expect(sim.getIp(ip)).toBeUndefined()
    expect(result!.outputs).toMatchObject({ ip, changed: 'true' })
  })

  it('refuses to release an assigned IP, naming the droplet, and sends no DELETE', async () => {
    const ip = sim.addIp({ version: 6, dropletId: green }).ip
    const { error } = await runInProcess(sim.url, { operation: 'delete', ip })
    expect(error?.message).toContain(`droplet ${green} (green-1)`)
    expect(error?.message).toMatch(/unassign/i)
    expect(sim.getIp(ip)).toBeDefined()
    expect(sim.countRequests({ method: 'DELETE' })).toBe(0)
  })

  it('waits for a busy IP to be free before releasing it', async () => {
    const v4 = sim.addIp({ version: 4 }).ip
    const v6 = sim.addIp({ version: 6 }).ip
    // Each stays busy until the step has found it busy twice.
    sim.lock(v4, Infinity)
    sim.lock(v6, Infinity)
    atRequest(sim, { method: 'GET', path: `/v2/reserved_ips/${v4}` }, 3, () => sim.unlock(v4))
    atRequest(sim, { method: 'DELETE', path: `/v2/reserved_ipv6/${v6}` }, 3, () => sim.unlock(v6))
    const [a, b] = await Promise.all([
      runInProcess(sim.url, { operation: 'delete', ip: v4 }),
      runInProcess(sim.url, { operation: 'delete', ip: v6 })
    ])
    expect(a.result!.outputs.changed).toBe('true')
    expect(b.result!.outputs.changed).toBe('true')
    expect(a.logs.join('\n')).toMatch(/is busy \(an action is in progress on it\)/)
    expect(b.logs.join('\n')).toMatch(/is busy \(pending event/)
    expect(sim.requests.filter((r) => r.method === 'DELETE').map((r) => [r.path, r.status])).toEqual(
      expect.arrayContaining([
        [`/v2/reserved_ips/${v4}`, 204],
        [`/v2/reserved_ipv6/${v6}`, 422],
        [`/v2/reserved_ipv6/${v6}`, 422],
        [`/v2/reserved_ipv6/${v6}`, 204]
      ])
    )
    expect(sim.countRequests({ method: 'DELETE' })).toBe(4)
    expect(sim.ips()).toHaveLength(0)
  })

  it('succeeds without change when the IP is already gone', async () => {
    const { result } = await runInProcess(sim.url, { operation: 'delete', ip: '203.0.113.77' })
    expect(result!.outputs).toMatchObject({ ip: '203.0.113.77', changed: 'false' })
    expect(sim.countRequests({ method: 'DELETE' })).toBe(0)
  })
})
