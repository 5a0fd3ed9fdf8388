/**
 * Paths beside the move of one address that used to lose or clobber an address, or report a guess:
 * a change decided on an old read, a release re-sent blind, a cancelled or lost delete or create,
 * a token fragment in an error page, the droplet's own pending event after a lost answer, success
 * on a target the address is leaving, an orphan IPv6, a cancelled roll-back, a droplet holding
 * another IPv4, one probe for several addresses, a prune whose listing hangs. Each test checks what
 * was reported against where the simulator has every address at the end.
 */
import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/simulator.js'
import { threeDropletsForEachTest } from '../helpers/simulator.js'
import { parseInputs } from '../../src/inputs/inputs.js'
import { Journal } from '../../src/engine/journal.js'
import { runOperation } from '../../src/run.js'
import { partialReport } from '../../src/report/partial-report.js'
import type { OperationResult } from '../../src/report/result.js'
import { scrubSecrets } from '../../src/transport/scrub.js'
import { atRequest, FAST_CLIENT, passTime, runInProcess, simMs, stopDate, TOKEN } from '../helpers/support.js'

let sim: Simulator
let blue: number
let green: number
let purple: number

threeDropletsForEachTest((three) => {
  ;({ sim, blue, green, purple } = three)
})

const run = (values: Record<string, string>) => runInProcess(sim.url, values)
const holder = (ip: string): number | null | undefined => sim.getIp(ip)?.dropletId
const ipPath = (ip: string): string => `/v2/${ip.includes(':') ? 'reserved_ipv6' : 'reserved_ips'}/${ip}`
const byStep = (ip: string) => sim.holderChanges(ip).filter((c) => c.by === 'api')

/**
 * Runs an operation in-process and aborts its signal when `arm`'s callback is called; returns what
 * main.ts would report (the operation's result, or the journal's when the operation threw) and
 * the journal's own report (what main.ts reports when the operation does not return in time).
 */
async function runCancelled(
  values: Record<string, string>,
  arm: (abort: () => void) => void
): Promise<{ result: OperationResult; fromJournal: OperationResult }> {
  const controller = new AbortController()
  arm(() => controller.abort('SIGTERM'))
  const journal = new Journal()
  const inputs = parseInputs((name) => ({ token: TOKEN, api_url: sim.url, ...values })[name] ?? '', {})
  const quiet = { info: () => undefined, warning: () => undefined, debug: () => undefined }
  const options = { log: quiet, userAgent: 'test', client: FAST_CLIENT, signal: controller.signal, journal }
  const result = await runOperation(inputs, options).catch(() => partialReport(journal, 'SIGTERM'))
  return { result, fromJournal: partialReport(journal, 'SIGTERM') }
}

describe('1. a change is decided on a read made right before it', () => {
  it('another workflow moves the IP during the precheck: expected_droplet_id refuses, nothing is undone', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const off = sim.onProbe(() => {
      off()
      sim.assignNow(ip, purple)
    })
    const { result, error } = await run({
      operation: 'assign',
      ip,
      droplet_id: String(green),
      expected_droplet_id: String(blue),
      precheck_url: sim.verifyUrl
    })
    expect(holder(ip)).toBe(purple)
    expect(byStep(ip)).toEqual([])
    expect(error?.message).toMatch(/expected_droplet_id/)
    expect(result!.outputs).toMatchObject({ changed: 'false', rolled_back: 'false', moves: '[]' })
    expect(result!.outputs.previous_droplet_id).not.toBe(String(blue))
  })

  it('without expected_droplet_id, the address is taken from where it was moved, and the log warns of it', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    const off = sim.onProbe(() => {
      off()
      sim.assignNow(ip, purple)
    })
    const { result, logs } = await run({
      operation: 'assign',
      ip,
      droplet_id: String(green),
      precheck_url: sim.verifyUrl
    })
    expect(holder(ip)).toBe(green)
    expect(result!.outputs.previous_droplet_id).toBe(String(purple))
    expect(logs.join('\n')).toMatch(
      new RegExp(
        `warning: ${ip.replace(/\./g, '\\.')}, on droplet ${blue}.* before the precheck, was on droplet ${purple}`
      )
    )
  })
})

describe('2. a release is sent again only after a read', () => {
  it('delete: the DELETE hangs, another workflow assigns the address: it is not released', async () => {
    const ip = sim.addIp({ version: 4, dropletId: null }).ip
    sim.inject({ kind: 'hang', method: 'DELETE', path: ipPath(ip) })
    atRequest(sim, { method: 'DELETE' }, 1, () => sim.assignNow(ip, green))
    const { result, error } = await run({ operation: 'delete', ip })
    expect(holder(ip)).toBe(green)
    expect(result?.outputs.changed ?? 'false').toBe('false')
    expect(error?.message).toMatch(new RegExp(`assigned to droplet ${green}`))
  })

  it('prune: the same, and count=0', async () => {
    const ip = sim.addIp({ version: 4, dropletId: null }).ip
    sim.inject({ kind: 'hang', method: 'DELETE', path: ipPath(ip) })
    atRequest(sim, { method: 'DELETE' }, 1, () => sim.assignNow(ip, green))
    const { result } = await run({ operation: 'prune' })
    expect(holder(ip)).toBe(green)
    expect(result!.outputs).toMatchObject({ count: '0', ips: '[]', changed: 'false' })
  })

  it('prune: a release answered 429 while another workflow assigns the address is not sent again', async () => {
    const ip = sim.addIp({ version: 4, dropletId: null }).ip
    sim.inject({ kind: 'rate-limit', method: 'DELETE', path: ipPath(ip) })
    atRequest(sim, { method: 'DELETE' }, 1, () => sim.assignNow(ip, green))
    const { result } = await run({ operation: 'prune' })
    expect(holder(ip)).toBe(green)
    expect(sim.releases()).toEqual([])
    expect(result!.outputs).toMatchObject({ count: '0', ips: '[]', changed: 'false' })
  })
})

describe('3. cancelled during a delete or a create', () => {
  it('delete: the release on record is reported as having maybe gone through', async () => {
    const ip = sim.addIp({ version: 4, dropletId: null }).ip
    sim.inject({ kind: 'hang-after', method: 'DELETE', path: ipPath(ip) })
    const { result, fromJournal } = await runCancelled({ operation: 'delete', ip }, (abort) =>
      atRequest(sim, { method: 'DELETE' }, 1, () => setTimeout(abort, 20))
    )
    expect(sim.getIp(ip)).toBeUndefined()
    for (const r of [result, fromJournal]) {
      expect(r.outputs.changed).toBe('true')
      expect(r.error ?? '').not.toMatch(/No request that changes anything/)
    }
  })

  it('create: an address may have been reserved, changed=true', async () => {
    sim.inject({ kind: 'hang-after', method: 'POST', path: '/v2/reserved_ips' })
    const { result, fromJournal } = await runCancelled({ operation: 'create', region: 'nyc3' }, (abort) =>
      atRequest(sim, { method: 'POST' }, 1, () => setTimeout(abort, 20))
    )
    expect(sim.ips()).toHaveLength(1)
    for (const r of [result, fromJournal]) {
      expect(r.outputs.changed).toBe('true')
      expect(r.error).toMatch(/may have been reserved/)
    }
  })
})

describe('4. a delete whose answer is lost at the deadline', () => {
  it('is read once more (past the timeout): gone, so changed=true', async () => {
    const ip = sim.addIp({ version: 4, dropletId: null }).ip
    sim.inject({ kind: 'drop-after', method: 'DELETE', path: ipPath(ip) })
    stopDate()
    atRequest(sim, { method: 'DELETE' }, 1, () => passTime(4000))
    const { result } = await run({ operation: 'delete', ip, timeout: '3' })
    expect(sim.getIp(ip)).toBeUndefined()
    expect(result?.outputs.changed).toBe('true')
  })
})

describe('5. a create whose answer is lost', () => {
  it('onto a droplet: changed=true, and the address found on the droplet is named', async () => {
    sim.inject({ kind: 'drop-after', method: 'POST', path: '/v2/reserved_ips' })
    const { result, error } = await run({ operation: 'create', droplet_id: String(green) })
    const reserved = sim.ips()
    expect(reserved).toHaveLength(1)
    expect(result?.outputs.changed).toBe('true')
    expect(result?.outputs.ip).toBe(reserved[0]!.ip)
    expect(error?.message).toMatch(/may have been reserved \(and billed\)/)
    expect(sim.countRequests({ method: 'POST', path: '/v2/reserved_ips' })).toBe(1)
  })
})

describe('6. no fragment of the token', () => {
  it('an error page quoting the Authorization header, cut short, keeps no 8 characters of it in a row', () => {
    const token = 'dop_v1_0123456789abcdef0123456789abcdef01'
    const page = `<html>502 Bad Gateway. Request headers: Authorization: Bearer ${token}</html>`.slice(0, 90)
    const shown = scrubSecrets(`DigitalOcean answered HTTP 502: ${page}`, [token])
    for (let i = 0; i + 8 <= token.length; i++) expect(shown).not.toContain(token.slice(i, i + 8))
    expect(shown).toContain('Authorization: Bearer ***')
  })
})

describe("7. after a lost answer, the droplet's own pending event", () => {
  it.each([4, 6] as const)(
    'IPv%s: is waited out, and the change sent again once the droplet is free',
    async (version) => {
      const ip = sim.addIp({ version, region: 'nyc3', dropletId: blue }).ip
      // The first request is lost before DigitalOcean sees it; then the target droplet is busy for 15 s.
      sim.inject({ kind: 'drop-before', method: 'POST', path: `${ipPath(ip)}/actions` })
      atRequest(sim, { method: 'POST' }, 1, () => sim.setDropletBusy(green, simMs(15_000)))
      const { result, error } = await run({ operation: 'assign', ip, droplet_id: String(green), timeout: '60' })
      expect(error).toBeUndefined()
      expect(holder(ip)).toBe(green)
      expect(result!.outputs).toMatchObject({ droplet_id: String(green), changed: 'true' })
      expect(byStep(ip)).toHaveLength(1)
    }
  )
})

describe('8. success is never reported on a target the address is leaving', () => {
  it('the action completes and another change starts at once: the step waits it out and names the holder', async () => {
    sim.setActionDuration(Infinity)
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 1, () => {
      sim.finishActions()
      sim.setActionDuration(simMs(200))
      sim.startOtherAction(ip, purple, { durationMs: simMs(1000) })
    })
    const { result, error } = await run({ operation: 'assign', ip, droplet_id: String(green) })
    expect(holder(ip)).toBe(purple)
    expect(error?.message).toMatch(new RegExp(`on droplet ${purple}`))
    expect(result!.outputs.droplet_id).toBe(String(purple))
  })
})

describe('9. create of a reserved IPv6 onto a droplet without IPv6', () => {
  it('is refused before anything is reserved', async () => {
    const v4only = sim.addDroplet({ name: 'v4-only', region: 'nyc3', ipv6: false }).id
    const { error } = await run({ operation: 'create', ip_version: '6', droplet_id: String(v4only) })
    expect(error?.message).toMatch(/does not have IPv6 enabled/)
    expect(sim.ips()).toHaveLength(0)
    expect(sim.mutatingRequests()).toHaveLength(0)
  })

  it('an IPv4 onto a droplet that holds one already is refused naming it, before anything is reserved', async () => {
    const holder = sim.addDroplet({ name: 'holder', region: 'nyc3' }).id
    const held = sim.addIp({ dropletId: holder }).ip
    const { result, error } = await run({ operation: 'create', droplet_id: String(holder) })
    expect(error?.message).toMatch(
      new RegExp(`already holds reserved IPv4 ${held.replace(/\./g, '\\.')}.*Nothing was reserved`)
    )
    expect(result?.outputs.changed ?? 'false').toBe('false')
    expect(sim.ips()).toHaveLength(1)
    expect(sim.mutatingRequests()).toHaveLength(0)
  })
})

describe('10. cancelled during the roll-back', () => {
  it("the outputs name the roll-back's action still under way", async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.setService(green, { healthy: false })
    const { result, fromJournal } = await runCancelled(
      { operation: 'assign', ip, droplet_id: String(green), verify_url: sim.verifyUrl, verify_timeout: '1' },
      (abort) => {
        // The roll-back's action never ends; the step is cancelled while it polls that action.
        atRequest(sim, { method: 'POST' }, 2, () => sim.setActionDuration(Infinity))
        sim.onRequest((request) => {
          const back = sim.actions()[1]
          if (back && request.method === 'GET' && request.path === `/v2/actions/${back.id}`) abort()
        })
      }
    )
    const back = sim.actions()[1]!
    expect(back.status).toBe('in-progress')
    for (const r of [result, fromJournal]) {
      expect(r.outputs).toMatchObject({ action_id: String(back.id), action_status: 'in-progress' })
    }
    expect(result.error).toMatch(/may still complete/)
  })

  it('operation: rollback cancelled: the heading says cancelled, and the message reads without doubled stops', async () => {
    const v4 = sim.addIp({ version: 4, dropletId: green }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: green }).ip
    sim.setActionDuration(Infinity)
    const moves = JSON.stringify([
      { ip: v4, from: blue, to: green },
      { ip: v6, from: blue, to: green }
    ])
    const { result } = await runCancelled({ operation: 'rollback', moves }, (abort) =>
      atRequest(sim, { method: 'GET', path: /^\/v2\/actions\// }, 2, abort)
    )
    expect(result.summary.title).toMatch(/^Reserved IP rollback cancelled/)
    expect(result.error).toMatch(/^Cancelled \(SIGTERM\); nothing more was sent\./)
    expect(result.error).not.toMatch(/\.\.|\.;/)
    expect(result.outputs.changed).toBe('true')
  })
})

describe('11. one IPv4 to a droplet that holds another reserved IPv4', () => {
  it("names the held address when DigitalOcean's refusal does not", async () => {
    const held = sim.addIp({ version: 4, dropletId: green }).ip
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.inject({
      kind: 'status',
      status: 422,
      method: 'POST',
      path: `${ipPath(ip)}/actions`,
      id: 'unprocessable_entity',
      message: 'The Droplet already has a reserved IP assigned to it.'
    })
    const { result, error } = await run({ operation: 'assign', ip, droplet_id: String(green) })
    expect(error?.message).toContain(held)
    expect([holder(ip), holder(held)]).toEqual([blue, green])
    expect(result!.outputs.changed).toBe('false')
  })
})

describe('12. several addresses are verified one by one', () => {
  it.each(['verify_url', 'precheck_url'])('%s without {ip} is bad input before any request', async (name) => {
    const { error } = await run({
      operation: 'assign',
      ip: '203.0.113.10 2001:db8::1',
      droplet_id: String(green),
      [name]: 'http://example.test/healthz'
    })
    expect(error?.message).toMatch(new RegExp(`Input '${name}': must contain \\{ip\\}`))
    expect(sim.requests).toHaveLength(0)
  })
})

describe('13. a prune whose listing hangs', () => {
  it('writes ips=[] and count=0', async () => {
    sim.addIp({ version: 4, dropletId: null })
    sim.inject({ kind: 'hang', method: 'GET', path: '/v2/reserved_ips', times: 20 })
    const { result, error } = await runInProcess(
      sim.url,
      { operation: 'prune', timeout: '2' },
      { ...FAST_CLIENT, requestTimeoutMs: 300 }
    )
    expect(error).toBeDefined()
    expect(result?.outputs).toMatchObject({ ips: '[]', count: '0', changed: 'false' })
    expect(sim.ips()).toHaveLength(1)
  })
})
