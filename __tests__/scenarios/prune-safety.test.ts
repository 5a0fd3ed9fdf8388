/**
 * prune's guards against the simulator: keep_dns, max_release and unassigned_for, and a summary
 * row for every address considered, also when the prune stops early or is cancelled.
 */
import { describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator } from '../../sim/simulator.js'
import { simulatorForEachTest } from '../helpers/simulator.js'
import {
  newPruneProgress,
  runPrune,
  stopPrune,
  type PruneProgress,
  type PruneSettings
} from '../../src/engine/prune.js'
import { pruneReport } from '../../src/report/prune-report.js'
import { ApiClient } from '../../src/transport/http.js'
import {
  atRequest,
  FAST_CLIENT,
  passTime,
  restoreDate,
  runInProcess,
  simMs,
  stopDate,
  testEngine,
  testStep,
  TIME_SCALE,
  TOKEN
} from '../helpers/support.js'
import { cellText } from '../../src/report/cells.js'
import type { Summary } from '../../src/report/result.js'

let sim: Simulator
let web: number

simulatorForEachTest({ actionDurationMs: simMs(100) }, (started) => {
  sim = started
  web = sim.addDroplet({ name: 'web-1', region: 'nyc3' }).id
})

const HOUR = 3_600_000
const ago = (ms: number): number => Date.now() - ms

type Entry = { ip: string; ip_version: number; region: string; droplet_id: number | null }
const released = (json: string): string[] => (JSON.parse(json) as Entry[]).map((e) => e.ip).sort()

/** The summary's rows by address: [result, reason, idle?]. */
function rows(result: { summary: Summary }): Record<string, string[]> {
  const table = result.summary.tables[0]
  return Object.fromEntries((table?.rows ?? []).map((r) => [cellText(r[0]!), r.slice(2).map(cellText)]))
}

const deletes = (): string[] => sim.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)

describe('keep_dns', () => {
  it('spares every address an A or AAAA record points at, naming the record, and releases the rest', async () => {
    const apex = sim.addIp({ version: 4 }).ip
    const v6 = sim.addIp({ version: 6 }).ip
    const free4 = sim.addIp({ version: 4 }).ip
    const free6 = sim.addIp({ version: 6 }).ip
    sim.addDomain('example.com')
    sim.addRecord('example.com', { type: 'A', data: apex })
    sim.addDomain('example.org')
    // DigitalOcean keeps AAAA data as written: it is compared in canonical form.
    sim.addRecord('example.org', { type: 'AAAA', name: 'www', data: v6.toUpperCase().replace('::', ':0::') })
    // Only A and AAAA records count.
    sim.addRecord('example.org', { type: 'TXT', name: 'note', data: free4 })
    sim.addRecord('example.org', { type: 'CNAME', name: 'alias', data: `${free6}.example.net.` })
    const { result } = await runInProcess(sim.url, { operation: 'prune', keep_dns: 'true' })
    expect(result!.error).toBeUndefined()
    expect(released(result!.outputs.ips)).toEqual([free4, free6].sort())
    expect(sim.getIp(apex)).toBeDefined()
    expect(sim.getIp(v6)).toBeDefined()
    const byIp = rows(result!)
    expect(byIp[apex]).toEqual(['spared', 'DNS record example.com (A)'])
    expect(byIp[v6]).toEqual(['spared', 'DNS record www.example.org (AAAA)'])
    expect(byIp[free4]).toEqual(['released', ''])
  })

  it('reads DNS once per run, every page of zones and records, not once per address', async () => {
    for (let i = 0; i < 6; i++) sim.addIp({ version: 4 })
    const last = sim.addIp({ version: 4 }).ip
    for (let z = 0; z < 203; z++) sim.addDomain(`zone-${String(z).padStart(3, '0')}.example`)
    // The record that matters is on the second page of the last zone's records.
    for (let r = 0; r < 230; r++) sim.addRecord('zone-202.example', { type: 'TXT', name: `t${r}`, data: 'x' })
    sim.addRecord('zone-202.example', { type: 'A', name: 'late', data: last })
    const { result } = await runInProcess(sim.url, { operation: 'prune', keep_dns: 'true' })
    expect(result!.error).toBeUndefined()
    expect(rows(result!)[last]).toEqual(['spared', 'DNS record late.zone-202.example (A)'])
    expect(result!.outputs.count).toBe('6')
    expect(sim.countRequests({ path: '/v2/domains' })).toBe(2)
    expect(sim.countRequests({ path: /^\/v2\/domains\/[^/]+\/records$/ })).toBe(204)
  })

  it('releases nothing and fails saying why when the token cannot read DNS (no domain:read)', async () => {
    const ips = [sim.addIp({ version: 4 }).ip, sim.addIp({ version: 6 }).ip]
    sim.addDomain('example.com')
    sim.denyScope('domain:read')
    const { result } = await runInProcess(sim.url, { operation: 'prune', keep_dns: 'true' })
    expect(deletes()).toEqual([])
    expect(sim.ips()).toHaveLength(2)
    expect(result!.error).toMatch(/keep_dns: the DNS records could not be read, so nothing was released: .*HTTP 403/)
    expect(result!.error).toContain('domain:read')
    expect(result!.outputs).toMatchObject({ ips: '[]', count: '0', changed: 'false' })
    for (const ip of ips) expect(rows(result!)[ip]![0]).toBe('not tried')
  })

  it('fails just as surely in a dry run, which never skips the guard', async () => {
    sim.addIp({ version: 4 })
    sim.denyScope('domain:read')
    const { result } = await runInProcess(sim.url, { operation: 'prune', keep_dns: 'true', dry_run: 'true' })
    expect(result!.error).toContain('domain:read')
    expect(result!.outputs.count).toBe('0')
  })
})

describe('max_release', () => {
  it('releases none of more candidates than allowed, and fails listing them all', async () => {
    const ips = [0, 1, 2].map(() => sim.addIp({ version: 4 }).ip)
    const { result } = await runInProcess(sim.url, { operation: 'prune', max_release: '2' })
    expect(deletes()).toEqual([])
    expect(result!.error).toContain('3 addresses would be released, more than max_release (2), so none was released')
    for (const ip of ips) expect(result!.error).toContain(ip)
    expect(result!.outputs).toMatchObject({ count: '0', changed: 'false' })
    for (const ip of ips) expect(rows(result!)[ip]).toEqual(['not tried', 'more than max_release (2) would go'])
  })

  it('counts only what would really go, after keep, DNS and idle time have spared theirs', async () => {
    const kept = sim.addIp({ version: 4 }).ip
    const named = sim.addIp({ version: 4 }).ip
    const recent = sim.addIp({ version: 4, history: [{ type: 'unassign_ip', completedAt: ago(60_000) }] }).ip
    const old = [0, 1].map(
      () => sim.addIp({ version: 4, history: [{ type: 'unassign_ip', completedAt: ago(9 * HOUR) }] }).ip
    )
    sim.addDomain('example.com')
    sim.addRecord('example.com', { type: 'A', name: 'api', data: named })
    const { result } = await runInProcess(sim.url, {
      operation: 'prune',
      keep: kept,
      keep_dns: 'true',
      unassigned_for: '1h',
      max_release: '2'
    })
    expect(result!.error).toBeUndefined()
    expect(released(result!.outputs.ips)).toEqual(old.sort())
    expect(sim.getIp(recent)).toBeDefined()
  })

  it('lists them and warns in a dry run', async () => {
    const ips = [0, 1, 2].map(() => sim.addIp({ version: 6 }).ip)
    const { result, logs } = await runInProcess(sim.url, { operation: 'prune', max_release: '1', dry_run: 'true' })
    expect(result!.error).toBeUndefined()
    expect(released(result!.outputs.ips)).toEqual(ips.sort())
    expect(logs.join('\n')).toMatch(/warning: 3 addresses would be released, more than max_release \(1\)/)
    expect(result!.summary.notes.join('\n')).toContain('would release none of them and fail')
    expect(deletes()).toEqual([])
  })
})

describe('unassigned_for', () => {
  it('releases only what has been idle long enough, and shows each idle time or why it is unknown', async () => {
    const idle4 = sim.addIp({
      version: 4,
      history: [
        { type: 'reserve_ip', completedAt: ago(100 * HOUR) },
        { type: 'assign_ip', completedAt: ago(50 * HOUR) },
        { type: 'unassign_ip', completedAt: ago(26 * HOUR) }
      ]
    }).ip
    const brief4 = sim.addIp({ version: 4, history: [{ type: 'unassign_ip', completedAt: ago(10 * 60_000) }] }).ip
    const silent4 = sim.addIp({ version: 4 }).ip
    const orphan4 = sim.addIp({ version: 4, history: [{ type: 'assign_ip', completedAt: ago(90 * HOUR) }] }).ip
    const old6 = sim.addIp({ version: 6, reservedAt: ago(72 * HOUR) }).ip
    const new6 = sim.addIp({ version: 6 }).ip
    const { result } = await runInProcess(sim.url, { operation: 'prune', unassigned_for: '1d' })
    expect(result!.error).toBeUndefined()
    expect(released(result!.outputs.ips)).toEqual([idle4, old6].sort())
    expect(
      sim
        .ips()
        .map((r) => r.ip)
        .sort()
    ).toEqual([brief4, silent4, orphan4, new6].sort())
    const byIp = rows(result!)
    expect(result!.summary.tables[0]!.header).toEqual(['Address', 'Region', 'Result', 'Reason', 'Idle'])
    expect(byIp[idle4]).toEqual([
      'released',
      '',
      expect.stringMatching(/^1 d 2 h \(since unassign_ip completed \d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/)
    ])
    expect(byIp[old6]).toEqual([
      'released',
      '',
      expect.stringMatching(/^3 d \(since reserved_at \d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/)
    ])
    expect(byIp[brief4]).toEqual([
      'spared',
      'idle too short: 10 min, less than unassigned_for (1 d)',
      expect.stringMatching(/^10 min \(since unassign_ip/)
    ])
    expect(byIp[silent4]).toEqual([
      'spared',
      `idle since an unknown time: no action on record. It is spared at every run: release it with \`operation: delete\` and \`ip: ${silent4}\`, or add it to \`keep\` to say it stays`,
      'unknown: no action on record'
    ])
    expect(byIp[orphan4]![1]).toMatch(/its latest action is an assign .*; when it was unassigned is not on record/)
    expect(byIp[new6]![0]).toBe('spared')
  })

  it('reads the action history of candidates only, and none for IPv6', async () => {
    const kept = sim.addIp({ version: 4 }).ip
    const named = sim.addIp({ version: 4 }).ip
    sim.addIp({ version: 4, dropletId: web })
    const candidate = sim.addIp({ version: 4, history: [{ type: 'unassign_ip', completedAt: ago(3 * HOUR) }] }).ip
    sim.addIp({ version: 6, reservedAt: ago(3 * HOUR) })
    sim.addDomain('example.com')
    sim.addRecord('example.com', { type: 'A', data: named })
    const { result } = await runInProcess(sim.url, {
      operation: 'prune',
      keep: kept,
      keep_dns: 'true',
      unassigned_for: '2h'
    })
    expect(result!.outputs.count).toBe('2')
    const historyReads = sim.requests.filter((r) => r.path.endsWith('/actions')).map((r) => r.path)
    expect(historyReads).toEqual([`/v2/reserved_ips/${candidate}/actions`])
  })

  it('judges a long history by its first page only when that page lists the newest first', async () => {
    const long = Array.from({ length: 25 }, (_, i) => ({
      type: i % 2 ? 'assign_ip' : 'unassign_ip',
      completedAt: ago((100 - i) * HOUR)
    }))
    const ip = sim.addIp({ version: 4, history: long }).ip
    const oldestFirst = await runInProcess(sim.url, { operation: 'prune', unassigned_for: '1h', dry_run: 'true' })
    expect(rows(oldestFirst.result!)[ip]![1]).toContain('its 25 actions fill several pages')
    const newest = await startSimulator({ actionsNewestFirst: true })
    try {
      newest.addIp({ ip, version: 4, history: long })
      const { result } = await runInProcess(newest.url, { operation: 'prune', unassigned_for: '1h', dry_run: 'true' })
      expect(rows(result!)[ip]).toEqual(['would release', '', expect.stringMatching(/^3 d 4 h \(since unassign_ip/)])
      expect(newest.violations).toEqual([])
    } finally {
      await newest.close()
    }
  })

  it('takes an address released by someone else before its history is read as gone, and one whose history cannot be read as failed', async () => {
    const vanishing = sim.addIp({ version: 4 }).ip
    const unreadable = sim.addIp({ version: 4 }).ip
    sim.onRequest((req) => {
      if (req.path === `/v2/reserved_ips/${vanishing}/actions`) sim.removeIp(vanishing)
    })
    sim.inject({ path: `/v2/reserved_ips/${unreadable}/actions`, kind: 'status', status: 422, message: 'odd' })
    const { result } = await runInProcess(sim.url, { operation: 'prune', unassigned_for: '1h' })
    expect(rows(result!)[vanishing]!.slice(0, 2)).toEqual(['spared', 'already released by someone else'])
    expect(rows(result!)[unreadable]![0]).toBe('failed')
    expect(result!.error).toMatch(/could not be released: .*its actions could not be read: .*HTTP 422/)
    expect(deletes()).toEqual([])
  })

  it('refuses a bad value by name before any request', async () => {
    const { error } = await runInProcess(sim.url, { operation: 'prune', unassigned_for: '2 weeks' })
    expect(error?.message).toMatch(/^Input 'unassigned_for': /)
    expect(sim.requests).toHaveLength(0)
  })
})

describe('a failure repeated on every release', () => {
  it('is said once: grouped with a count in the error, the log line for each repeat at debug', async () => {
    const ips = [0, 1, 2].map(() => sim.addIp({ version: 4 }).ip)
    sim.inject({ method: 'DELETE', kind: 'status', status: 500, times: 30 })
    const { result, logs } = await runInProcess(sim.url, { operation: 'prune' })
    for (const ip of ips) expect(sim.getIp(ip)).toBeDefined()
    expect(deletes()).toHaveLength(9)
    for (const ip of ips) expect(rows(result!)[ip]![0]).toBe('failed')
    const error = result!.error!
    expect(error).toMatch(
      /^3 could not be released: [^;]*\(each: its release was sent 3 times without a clear answer \(HTTP 500[^)]*\)/
    )
    expect(error.split('HTTP 500')).toHaveLength(2)
    for (const ip of ips) expect(error.split(ip)).toHaveLength(2)
    const shown = logs.filter((l) => !l.startsWith('debug: '))
    expect(shown.filter((l) => l.includes('No clear answer to the release'))).toHaveLength(1)
    expect(shown.filter((l) => l.includes('Could not release'))).toHaveLength(1)
    expect(logs.filter((l) => l.includes('No clear answer to the release'))).toHaveLength(9)
    expect(result!.summary.notes.filter((n) => n.includes('HTTP 500'))).toHaveLength(1)
  })

  it('is said once for max_release: in the error, not also as a log line', async () => {
    ;[0, 1].map(() => sim.addIp({ version: 4 }).ip)
    const { result, logs } = await runInProcess(sim.url, { operation: 'prune', max_release: '1' })
    expect(result!.error).toContain('more than max_release (1)')
    expect(logs.filter((l) => l.includes('max_release'))).toEqual([])
  })
})

describe('a prune that stops early', () => {
  it('stops at the first release refused for a missing scope: the rest not tried, the scope named once', async () => {
    const ips = Array.from({ length: 10 }, (_, i) => sim.addIp({ version: i % 2 ? 6 : 4 }).ip)
    sim.denyScope('reserved_ip:delete')
    const { result, logs } = await runInProcess(sim.url, { operation: 'prune' })
    const byIp = rows(result!)
    expect(Object.keys(byIp).sort()).toEqual([...ips].sort())
    const results = Object.values(byIp).map((r) => r[0])
    // A 403 on one release means every other would get one too: a single release is sent.
    expect(deletes()).toHaveLength(1)
    expect(results.filter((r) => r === 'failed')).toHaveLength(1)
    expect(results.filter((r) => r === 'not tried')).toHaveLength(9)
    expect(result!.outputs).toMatchObject({ ips: '[]', count: '0', changed: 'false' })
    const times = (text: string, what: string): number => text.split(what).length - 1
    expect(times(result!.error!, 'reserved_ip:delete')).toBe(1)
    expect(result!.error).toMatch(/1 could not be released: .*HTTP 403/)
    expect(result!.error).toMatch(/9 not tried \(the token was refused \(HTTP 403\) at the release of /)
    expect(result!.error).toContain('Released 0 of 10 considered')
    expect(times(logs.filter((l) => !l.startsWith('debug: ')).join('\n'), 'reserved_ip:delete')).toBe(1)
    expect(times(result!.summary.notes.join('\n'), 'reserved_ip:delete')).toBe(1)
  })

  it('stops at a token refused (401) the same way', async () => {
    const ips = Array.from({ length: 3 }, () => sim.addIp({ version: 4 }).ip)
    sim.inject({ method: 'DELETE', kind: 'status', status: 401, times: 10 })
    const { result } = await runInProcess(sim.url, { operation: 'prune' })
    expect(deletes()).toHaveLength(1)
    expect(
      Object.values(rows(result!))
        .map((r) => r[0])
        .sort()
    ).toEqual(['failed', 'not tried', 'not tried'])
    expect(result!.error!.split('the API token was rejected')).toHaveLength(2)
    for (const ip of ips) expect(sim.getIp(ip)).toBeDefined()
  })

  it('reports what it released and what it did not try when the timeout runs out', async () => {
    const ips = Array.from({ length: 8 }, () => sim.addIp({ version: 4 }).ip)
    stopDate()
    try {
      // The timeout runs out while the second release is under way: it goes through, nothing after it starts.
      atRequest(sim, { method: 'DELETE' }, 2, () => passTime(301_000))
      const { result } = await runInProcess(sim.url, { operation: 'prune', max_release: '8' })
      const byIp = rows(result!)
      expect(Object.keys(byIp).sort()).toEqual([...ips].sort())
      const results = Object.values(byIp).map((r) => r[0])
      // Releases already sent when the time ran out (one per worker at most) still count.
      const done = results.filter((r) => r === 'released').length
      expect(done).toBeGreaterThanOrEqual(2)
      expect(done).toBeLessThanOrEqual(4)
      expect(results.filter((r) => r === 'not tried')).toHaveLength(8 - done)
      expect(released(result!.outputs.ips)).toEqual(ips.filter((ip) => !sim.getIp(ip)).sort())
      expect(result!.outputs).toMatchObject({ count: String(done), changed: 'true' })
      expect(result!.error).toContain(`${8 - done} not tried (the step's timeout ran out (timeout: 300 s))`)
      expect(deletes()).toHaveLength(done)
    } finally {
      restoreDate()
    }
  })

  it('needs no read after a release answered 204', async () => {
    const ips = [sim.addIp({ version: 4 }).ip, sim.addIp({ version: 6 }).ip]
    const { result } = await runInProcess(sim.url, { operation: 'prune' })
    expect(result!.outputs.count).toBe('2')
    for (const ip of ips) {
      const path = ip.includes(':') ? `/v2/reserved_ipv6/${ip}` : `/v2/reserved_ips/${ip}`
      expect(sim.requests.filter((r) => r.path === path).map((r) => r.method)).toEqual(['GET', 'DELETE'])
    }
  })
})

const SETTINGS: PruneSettings = { keep: [], keepDns: false, maxRelease: 100, dryRun: false }

/** A client like the in-process runs'. */
function testClient(): ApiClient {
  return new ApiClient({
    baseUrl: new URL(sim.url),
    token: TOKEN,
    userAgent: 'test',
    ...FAST_CLIENT
  })
}

describe('a cancelled prune', () => {
  it('reports the addresses released so far, the release under way and those not tried, and starts nothing more', async () => {
    const ips = Array.from({ length: 9 }, () => sim.addIp({ version: 4 }).ip)
    const progress: PruneProgress = newPruneProgress({ ...SETTINGS })
    let atCancel: ReturnType<typeof pruneReport> | undefined
    let requestsAtCancel = 0
    atRequest(sim, { method: 'DELETE' }, 3, () => {
      // What main.ts does on SIGTERM: stop the prune, then report it as it stands.
      stopPrune(progress, 'cancelled (SIGTERM)')
      atCancel = pruneReport(progress, { cancelled: 'SIGTERM' })
      requestsAtCancel = sim.requests.length
    })
    await runPrune(testEngine(testClient(), testStep({ deadline: Date.now() + 60_000 }, TIME_SCALE)), progress)
    const byIp = rows(atCancel!)
    expect(Object.keys(byIp).sort()).toEqual([...ips].sort())
    expect(atCancel!.outputs.changed).toBe('true')
    const releasedAtCancel = released(atCancel!.outputs.ips)
    for (const ip of releasedAtCancel) expect(byIp[ip]![0]).toBe('released')
    // The third release was sent, and its answer had not come.
    expect(Object.values(byIp).filter((r) => r[0] === 'unknown').length).toBeGreaterThanOrEqual(1)
    expect(Object.values(byIp).filter((r) => r[0] === 'not tried').length).toBeGreaterThanOrEqual(9 - 4 - 2)
    expect(atCancel!.summary.title).toMatch(/^Reserved IP cleanup cancelled: released \d$/)
    expect(atCancel!.error).toMatch(/^Cancelled \(SIGTERM\) before the prune had finished/)
    // Only requests already on their way when it was stopped arrived after.
    expect(sim.requests.length - requestsAtCancel).toBeLessThanOrEqual(3)
    const after = pruneReport(progress, { cancelled: 'SIGTERM' })
    expect(released(after.outputs.ips).length).toBe(9 - sim.ips().length)
    expect(deletes().length).toBeLessThanOrEqual(6)
  })
})
