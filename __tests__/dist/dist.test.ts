/** The bundled action, run as a runner runs it: INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY. */
import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/simulator.js'
import { errorLines, runDist, simMs, TOKEN } from '../helpers/support.js'
import { simulatorForAllTests } from '../helpers/simulator.js'

let sim: Simulator
let blue: number
let green: number

simulatorForAllTests({ actionDurationMs: simMs(300) }, (started) => {
  sim = started
  blue = sim.addDroplet({ name: 'blue-1', region: 'nyc3', tags: ['blue'] }).id
  green = sim.addDroplet({ name: 'green-1', region: 'nyc3', tags: ['green'] }).id
})

const base = (): Record<string, string> => ({ token: TOKEN, api_url: sim.url })

describe('dist/index.js', () => {
  it('cuts over by tag and writes every output and the summary', async () => {
    const ip = sim.addIp({ version: 4, region: 'nyc3', dropletId: blue }).ip
    const run = await runDist({
      ...base(),
      operation: 'assign',
      ip,
      droplet_tag: 'green',
      expected_droplet_id: String(blue)
    })
    expect(errorLines(run.stdout)).toEqual([])
    expect(run.code).toBe(0)
    expect(sim.getIp(ip)?.dropletId).toBe(green)
    expect(run.outputs).toMatchObject({
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
    expect(JSON.parse(run.outputs.moves!)).toEqual([{ ip, from: blue, to: green }])
    expect(Object.keys(run.outputs).sort()).toEqual(
      [
        'action_id',
        'action_status',
        'changed',
        'count',
        'droplet_id',
        'ip',
        'ip_version',
        'ips',
        'json',
        'moves',
        'previous_droplet_id',
        'region',
        'verified',
        'rolled_back'
      ].sort()
    )
    expect(JSON.parse(run.outputs.json!).droplet.id).toBe(green)
    expect(run.summary).toContain('| Address | From | Now on | Result |')
    expect(run.summary).toContain('[Workflow run](https://github.com/octo-org/deploy/actions/runs/42)')
    expect(run.summary).toContain(`[blue-1](https://cloud.digitalocean.com/droplets/${blue})`)
    expect(run.summary).toContain(`[green-1](https://cloud.digitalocean.com/droplets/${green})`)
  })

  it('lists both families into the ips output', async () => {
    const v6 = sim.addIp({ version: 6, region: 'nyc3' }).ip
    const run = await runDist({ ...base(), operation: 'list' })
    expect(run.code).toBe(0)
    const ips = JSON.parse(run.outputs.ips!) as { ip: string }[]
    expect(ips.map((e) => e.ip)).toContain(v6)
    expect(run.outputs.count).toBe(String(ips.length))
  })

  it('takes the token from DIGITALOCEAN_ACCESS_TOKEN and never shows it', async () => {
    const ip = sim.addIp({ version: 4 }).ip
    const run = await runDist(
      { api_url: sim.url, operation: 'get', ip },
      { DIGITALOCEAN_ACCESS_TOKEN: TOKEN, RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' }
    )
    expect(run.code).toBe(0)
    expect(run.outputs.ip).toBe(ip)
    const visible = [
      run.stdout.replace(`::add-mask::${TOKEN}`, ''),
      run.stderr,
      JSON.stringify(run.outputs),
      run.summary
    ].join('\n')
    expect(visible).not.toContain(TOKEN)
    expect(run.stdout).toContain(`::add-mask::${TOKEN}`)
    expect(run.stdout).toMatch(/::debug::GET \/v2\/reserved_ips\/\S+ -> 200 in \d+ ms/)
  })

  it('fails a rejected token without showing it', async () => {
    const run = await runDist({ ...base(), token: 'dop_v1_not_the_right_one', operation: 'get', ip: '203.0.113.250' })
    expect(run.code).not.toBe(0)
    const errors = errorLines(run.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/401.*token was rejected/)
    expect(run.stdout.replace('::add-mask::dop_v1_not_the_right_one', '')).not.toContain('dop_v1_not_the_right_one')
  })

  it.each([
    [{ operation: 'get', ip: '1.2.3.4/actions' }, 'ip'],
    [{ operation: 'get', ip: '../droplets/1' }, 'ip'],
    [{ operation: 'assign', ip: '203.0.113.9', droplet_id: '-1' }, 'droplet_id'],
    [{ operation: 'assign', ip: '203.0.113.9' }, 'droplet_id'],
    [{ operation: 'explode' }, 'operation'],
    [{ operation: 'list', timeout: 'ten' }, 'timeout'],
    [{ operation: 'list', ip_version: '5' }, 'ip_version'],
    [{ operation: 'assign', ip: '203.0.113.9', droplet_id: '1', droplet_tag: 'x' }, 'droplet_tag'],
    [{ operation: 'list', api_url: 'http://api.example.com' }, 'api_url']
  ])('refuses %p with one error naming %s, sending nothing', async (inputs, name) => {
    const before = sim.requests.length
    const run = await runDist({ token: TOKEN, api_url: sim.url, ...inputs })
    expect(run.code).not.toBe(0)
    const errors = errorLines(run.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`'${name}'`)
    expect(sim.requests.length).toBe(before)
  })

  it('sets every output, empty where it does not apply, and fails on an errored action', async () => {
    const ip = sim.addIp({ version: 4, dropletId: blue }).ip
    sim.setActionOutcome(() => 'errored')
    try {
      const run = await runDist({ ...base(), operation: 'unassign', ip })
      expect(run.code).not.toBe(0)
      expect(run.outputs.action_status).toBe('errored')
      expect(run.outputs.action_id).toMatch(/^\d+$/)
      expect(errorLines(run.stdout)[0]).toContain(`action ${run.outputs.action_id}`)
    } finally {
      sim.setActionOutcome(() => 'completed')
    }
  })

  it('survives a 429, a 503 and a lost answer on an IPv6 cutover, applying it once', async () => {
    const ip = sim.addIp({ version: 6, region: 'nyc3', dropletId: green }).ip
    sim.inject({ method: 'GET', path: `/v2/reserved_ipv6/${ip}`, kind: 'rate-limit', resetInMs: 0 })
    sim.inject({ method: 'GET', path: /^\/v2\/actions\//, kind: 'status', status: 503 })
    sim.inject({ method: 'POST', path: `/v2/reserved_ipv6/${ip}/actions`, kind: 'drop-after' })
    const before = sim.actions().length
    const run = await runDist({ ...base(), operation: 'assign', ip, droplet_id: String(blue) })
    expect(errorLines(run.stdout)).toEqual([])
    expect(run.code).toBe(0)
    expect(sim.getIp(ip)?.dropletId).toBe(blue)
    expect(sim.actions().length - before).toBe(1)
    expect(run.outputs).toMatchObject({ droplet_id: String(blue), previous_droplet_id: String(green), changed: 'true' })
  })

  it('fails a create whose answer was lost, once, saying how to find the address', async () => {
    const before = sim.ips().length
    sim.inject({ method: 'POST', path: '/v2/reserved_ips', kind: 'drop-after' })
    const run = await runDist({ ...base(), operation: 'create', region: 'nyc3' })
    expect(run.code).not.toBe(0)
    const errors = errorLines(run.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/may have been reserved.*operation: list/)
    expect(sim.ips().length - before).toBe(1)
    // An address may have been reserved (and is billed): reported as a change, never as none.
    expect(run.outputs.changed).toBe('true')
  })

  it('a step that fails before any change describes the first address and says nothing was changed', async () => {
    const v4 = sim.addIp({ version: 4, region: 'nyc3' }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3' }).ip
    // Several addresses: the target droplet is read first (its region), and there is none such.
    const changesBefore = sim.mutatingRequests().length
    const run = await runDist({ ...base(), operation: 'assign', ip: `${v4} ${v6}`, droplet_id: '999999' })
    expect(run.code).not.toBe(0)
    expect(errorLines(run.stdout)).toHaveLength(1)
    expect(run.outputs).toMatchObject({ ip: v4, ip_version: '4', changed: 'false', moves: '[]' })
    expect(run.summary).toContain('Nothing was changed: no request that changes anything was sent.')
    expect(sim.mutatingRequests().length).toBe(changesBefore)
  })
})
