/**
 * Cancellation: in-process through the step's signal, and through the bundled action with SIGTERM.
 * A cancelled step stops quickly, sends nothing more, and reports everything it knows: each
 * address it moved with where it was before and its action, the actions still under way, and the
 * address a create reserved.
 */
import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/simulator.js'
import { parseInputs } from '../../src/inputs/inputs.js'
import { Journal } from '../../src/engine/journal.js'
import { runOperation } from '../../src/run.js'
import { partialReport } from '../../src/report/partial-report.js'
import { pruneReport } from '../../src/report/prune-report.js'
import { newPruneProgress, stopPrune } from '../../src/engine/prune.js'
import type { OperationResult } from '../../src/report/result.js'
import { atRequest, errorLines, FAST_CLIENT, runDist, simMs, TOKEN } from '../helpers/support.js'
import { simulatorForEachTest } from '../helpers/simulator.js'

let sim: Simulator
let blue: number
let green: number

simulatorForEachTest({ actionDurationMs: simMs(200), routingDelayMs: 0 }, (started) => {
  sim = started
  blue = sim.addDroplet({ name: 'blue-1', region: 'nyc3', service: { build: 'build-blue' } }).id
  green = sim.addDroplet({ name: 'green-1', region: 'nyc3', service: { build: 'build-green' } }).id
})

const quiet = { info: () => undefined, warning: () => undefined, debug: () => undefined }

interface Cancelled {
  readonly result: OperationResult
  readonly journal: Journal
  /** Real ms from the abort to the operation's return. */
  readonly afterAbortMs: number
  /** The index in sim.requests of the first request that arrived after the abort. */
  readonly firstAfterAbort: number
}

/** Runs an operation in-process and aborts its signal (reason SIGTERM) when `abortWhen` is called. */
async function runCancelled(values: Record<string, string>, arm: (abort: () => void) => void): Promise<Cancelled> {
  const controller = new AbortController()
  let abortedAt = Infinity
  let firstAfterAbort = Infinity
  arm(() => {
    if (controller.signal.aborted) return
    abortedAt = performance.now()
    // The request that triggers the abort is answered; every later one arrived after it.
    firstAfterAbort = sim.requests.length
    controller.abort('SIGTERM')
  })
  const journal = new Journal()
  const inputs = parseInputs((name) => ({ token: TOKEN, api_url: sim.url, ...values })[name] ?? '', {})
  const result = await runOperation(inputs, {
    log: quiet,
    userAgent: 'test',
    client: FAST_CLIENT,
    signal: controller.signal,
    journal
  })
  return { result, journal, afterAbortMs: performance.now() - abortedAt, firstAfterAbort }
}

/** Requests that arrived after the abort, as `METHOD path`. */
const after = (c: Cancelled): string[] => sim.requests.slice(c.firstAfterAbort).map((r) => `${r.method} ${r.path}`)

describe('cancelled in-process, through the signal', () => {
  it('during verification: names the droplet it is on, the one it was on, its action, and how to roll back', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    // The probes never pass; the step is cancelled while they go on.
    const c = await runCancelled(
      {
        operation: 'assign',
        ip,
        droplet_id: String(green),
        verify_url: sim.verifyUrl,
        verify_contains: 'never-there',
        verify_timeout: '30'
      },
      (abort) => {
        const timer = setInterval(() => {
          if (sim.probeRequests({ ip }).length > 0) {
            clearInterval(timer)
            abort()
          }
        }, 5)
      }
    )
    expect(c.afterAbortMs).toBeLessThan(1500)
    const action = sim.actions()[0]!
    expect(sim.getIp(ip)?.dropletId).toBe(green)
    expect(c.result.outputs).toMatchObject({
      ip,
      droplet_id: String(green),
      previous_droplet_id: String(blue),
      action_id: String(action.id),
      action_status: 'completed',
      changed: 'true',
      rolled_back: 'false',
      // Cancelled before verification ended: neither passed nor failed.
      verified: ''
    })
    expect(c.result.summary.tables.flat(3).join(' ')).not.toMatch(/verify failed/)
    expect(c.result.error).toMatch(/^Cancelled \(SIGTERM\); nothing more was sent\./)
    expect(c.result.summary.notes.join('\n')).toMatch(/Roll back with `operation: rollback` and `moves: /)
    // No roll-back was started, nor anything else.
    expect(sim.mutatingRequests()).toHaveLength(1)
    expect(after(c)).toEqual([])
  })

  it('while waiting for an action: no request starts after the signal but the read that reports the address', async () => {
    sim.setActionDuration(Infinity)
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const c = await runCancelled({ operation: 'assign', ip, droplet_id: String(green) }, (abort) =>
      atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 2, abort)
    )
    expect(c.afterAbortMs).toBeLessThan(1500)
    expect(after(c)).toEqual([`GET /v2/reserved_ips/${ip}`])
    const action = sim.actions()[0]!
    expect(c.result.outputs).toMatchObject({
      action_id: String(action.id),
      action_status: 'in-progress',
      changed: 'true',
      previous_droplet_id: String(blue),
      droplet_id: String(blue)
    })
    expect(c.result.error).toMatch(
      new RegExp(`^Cancelled \\(SIGTERM\\).*Still in progress and may still complete: action ${action.id} on ${ip}`)
    )
    // Still home, but the action may still move it: the summary says how to undo it.
    expect(c.result.summary.notes.join('\n')).toMatch(/Roll back with `operation: rollback` and `moves: /)
  })

  it('the journal holds what a report needs when the operation does not return in time', async () => {
    sim.setActionDuration(Infinity)
    const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
    const c = await runCancelled({ operation: 'assign', ip: `${v4} ${v6}`, droplet_id: String(green) }, (abort) =>
      atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 2, abort)
    )
    const report = partialReport(c.journal, 'SIGTERM', [v4, v6])
    const ids = [v4, v6].map((ip) => sim.actions().find((a) => a.ip === ip)!.id)
    expect(report.outputs).toMatchObject({
      ip: v4,
      previous_droplet_id: String(blue),
      action_id: String(ids[0]),
      action_status: 'in-progress',
      changed: 'true',
      count: '2'
    })
    expect(report.error).toMatch(new RegExp(`action ${ids[0]} on ${v4}, action ${ids[1]} on ${v6}`))
    expect(report.summary.notes.join('\n')).toMatch(/Roll back with `operation: rollback` and `moves: /)
  })

  it("a prune's progress in the journal is what a cancelled step reports", () => {
    const journal = new Journal()
    const progress = newPruneProgress({ keep: [], keepDns: false, maxRelease: 10, dryRun: false })
    stopPrune(progress, 'SIGINT')
    journal.prune = progress
    const report = partialReport(journal, 'SIGINT')
    expect(report).toEqual(pruneReport(progress, { cancelled: 'SIGINT' }))
    expect(report.outputs).toMatchObject({ ips: '[]', count: '0' })
  })

  it('during create: names the reserved address and how to release it', async () => {
    sim.setActionDuration(Infinity)
    const d = sim.addDroplet({ name: 'new-1', region: 'nyc3' }).id
    const c = await runCancelled({ operation: 'create', droplet_id: String(d) }, (abort) =>
      atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 1, abort)
    )
    const ip = sim.ips()[0]!.ip
    expect(c.result.outputs).toMatchObject({ ip, changed: 'true', action_status: 'in-progress' })
    expect(c.result.error).toMatch(
      new RegExp(`^Cancelled \\(SIGTERM\\).*${ip} was reserved.*operation: delete and ip: ${ip}`)
    )
    expect(partialReport(c.journal, 'SIGTERM').outputs.ip).toBe(ip)
  })
})

describe('cancelled through the bundled action (SIGTERM)', () => {
  const base = (): Record<string, string> => ({ token: TOKEN, api_url: sim.url })

  it('during verification: exits within 2 s and reports the move, with its roll-back', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const run = await runDist(
      {
        ...base(),
        ip,
        droplet_id: String(green),
        verify_url: sim.verifyUrl,
        verify_contains: 'never-there',
        verify_timeout: '30'
      },
      {},
      60_000,
      { signal: 'SIGTERM', when: /Verifying: probing/ }
    )
    const action = sim.actions()[0]!
    expect(run.signalledMs).toBeLessThan(2000)
    expect(run.code).not.toBe(0)
    expect(errorLines(run.stdout)).toHaveLength(1)
    expect(errorLines(run.stdout)[0]).toMatch(/Cancelled \(SIGTERM\)/)
    expect(run.outputs).toMatchObject({
      ip,
      droplet_id: String(green),
      previous_droplet_id: String(blue),
      action_id: String(action.id),
      changed: 'true'
    })
    expect(run.summary).toMatch(/cancelled[\s\S]*Roll back with `operation: rollback` and `moves: /)
    expect(sim.mutatingRequests()).toHaveLength(1)
  })

  it('during create: the reserved address is in the outputs and the error', async () => {
    sim.setActionDuration(Infinity)
    const d = sim.addDroplet({ name: 'new-1', region: 'nyc3' }).id
    const run = await runDist({ ...base(), operation: 'create', droplet_id: String(d) }, {}, 60_000, {
      signal: 'SIGTERM',
      when: /Reserved \S+/
    })
    const ip = sim.ips()[0]!.ip
    expect(run.signalledMs).toBeLessThan(2000)
    expect(run.outputs).toMatchObject({ ip, changed: 'true' })
    expect(errorLines(run.stdout)[0]).toMatch(new RegExp(`Cancelled \\(SIGTERM\\).*${ip}.*reserved`))
  })

  it('during a prune: the outputs name exactly the addresses released, and every candidate has a row', async () => {
    const ips = Array.from({ length: 12 }, () => sim.addIp({ version: 4, region: 'nyc3' }).ip)
    // Every release but one never gets an answer, so the prune is still under way when the signal comes.
    for (const ip of ips.slice(1)) sim.inject({ method: 'DELETE', path: `/v2/reserved_ips/${ip}`, kind: 'hang' })
    const run = await runDist({ ...base(), operation: 'prune', max_release: '20' }, {}, 60_000, {
      signal: 'SIGTERM',
      when: /Released \S+/
    })
    expect(run.signalledMs).toBeLessThan(2000)
    expect(run.code).not.toBe(0)
    const gone = ips.filter((ip) => sim.getIp(ip) === undefined).sort()
    expect(gone.length).toBeGreaterThan(0)
    const reported = (JSON.parse(run.outputs.ips!) as { ip: string }[]).map((e) => e.ip).sort()
    expect(reported).toEqual(gone)
    expect(run.outputs).toMatchObject({ count: String(gone.length), changed: 'true' })
    expect(errorLines(run.stdout)[0]).toMatch(/Cancelled \(SIGTERM\)/)
    for (const ip of ips) expect(run.summary).toContain(ip)
    // Those it had not reached when the signal came are said not to have been tried; none was sent after it.
    expect(run.summary).toMatch(/not tried/)
    const deletes = sim.requests.filter((r) => r.method === 'DELETE')
    expect(deletes.length).toBeLessThan(ips.length)
  })

  it('while waiting: polls stop at the signal', async () => {
    sim.setActionDuration(Infinity)
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const run = await runDist({ ...base(), ip, droplet_id: String(green) }, {}, 60_000, {
      signal: 'SIGTERM',
      when: /started; waiting for DigitalOcean/
    })
    const closedAt = performance.now() - sim.timeOrigin
    const signalledAt = closedAt - run.signalledMs!
    // A poll in flight at the signal may arrive a moment later; none starts after it.
    const polls = sim.requests.filter((r) => r.path.startsWith('/v2/actions/') && r.at > signalledAt + 100)
    expect(polls).toEqual([])
    expect(run.outputs.action_status).toBe('in-progress')
  })
})
