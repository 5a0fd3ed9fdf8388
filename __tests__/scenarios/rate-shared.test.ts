/**
 * Many cutovers at once on one token, against a simulator that enforces DigitalOcean's 250 requests
 * in any 60 s over every client (time sped up, so that the minute lasts 15 s).
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator } from '../../sim/simulator.js'
import { FAST_CLIENT, runInProcess, type InProcessRun } from '../helpers/support.js'

const TIME_SCALE = 4
const BUSY = /rate limit is busy with other clients/

let sim: Simulator | undefined

afterEach(async () => {
  await sim?.close()
  sim = undefined
})

/** Starts `n` cutovers at once, each moving its own IP; actions of `lo`-`hi` ms (before scaling). */
async function cutovers(n: number, lo: number, hi: number): Promise<{ runs: InProcessRun[]; ips: string[] }> {
  const s = await startSimulator({ rateLimit: { perMinute: 250, timeScale: TIME_SCALE } })
  sim = s
  const durations = new Map<string, number>()
  s.setActionDuration((action) => (durations.get(action.ip) ?? lo) / TIME_SCALE)
  const jobs = Array.from({ length: n }, (_, i) => {
    const from = s.addDroplet({ name: `blue-${i}`, region: 'nyc3' }).id
    const to = s.addDroplet({ name: `green-${i}`, region: 'nyc3' }).id
    const ip = s.addIp({ version: i % 2 ? 6 : 4, region: 'nyc3', dropletId: from }).ip
    durations.set(ip, lo + ((hi - lo) * i) / Math.max(1, n - 1))
    return { ip, to }
  })
  const runs = await Promise.all(
    jobs.map((job) =>
      runInProcess(
        s.url,
        { operation: 'assign', ip: job.ip, droplet_id: String(job.to) },
        { ...FAST_CLIENT, timeScale: TIME_SCALE }
      )
    )
  )
  for (const job of jobs) expect(s.getIp(job.ip)?.dropletId).toBe(job.to)
  return { runs, ips: jobs.map((j) => j.ip) }
}

describe('many cutovers at once on one token', () => {
  it('all succeed, each sent once, staying under the limit by spacing their polls out', async () => {
    const { runs, ips } = await cutovers(40, 1000, 6000)
    const s = sim!
    for (const run of runs) {
      expect(run.error).toBeUndefined()
      expect(run.result!.outputs.action_status).toBe('completed')
    }
    for (const ip of ips) expect(s.actions().filter((a) => a.ip === ip)).toHaveLength(1)
    expect(s.rateLimited).toBeLessThanOrEqual(3)
    // The headers told them the account was busy: at least some of them waited for it.
    expect(runs.filter((r) => r.logs.some((l) => BUSY.test(l))).length).toBeGreaterThan(0)
    expect(s.violations).toEqual([])
  }, 30_000)

  it('one cutover alone keeps its poll schedule', async () => {
    const { runs } = await cutovers(1, 3000, 3000)
    expect(runs[0]!.error).toBeUndefined()
    expect(runs[0]!.logs.filter((l) => BUSY.test(l))).toEqual([])
    expect(sim!.rateLimited).toBe(0)
  })
})
