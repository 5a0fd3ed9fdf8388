import { describe, expect, it } from '@jest/globals'
import { InputError, parseInputs, type Inputs, type InputsOf } from '../../src/inputs/inputs.js'
import type { Operation } from '../../src/inputs/operation.js'
import { inputsOf } from '../helpers/inputs.js'

function parse(values: Record<string, string>, env: Record<string, string> = {}): Inputs {
  return parseInputs((name) => values[name] ?? '', env)
}

/** The inputs of `operation`, parsed from `values`. */
function parseAs<O extends Operation>(
  operation: O,
  values: Record<string, string>,
  env: Record<string, string> = {}
): InputsOf<O> {
  return inputsOf(operation, parse({ ...values, operation }, env))
}

function failure(values: Record<string, string>, env: Record<string, string> = {}): InputError {
  try {
    parse(values, env)
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error('expected an InputError')
}

const base = { token: 'dop_v1_test' }

describe('parseInputs', () => {
  it('defaults to assign and needs ip and a droplet for it', () => {
    expect(failure({ ...base }).input).toBe('ip')
    expect(failure({ ...base, ip: '203.0.113.1' }).input).toBe('droplet_id')
    const inputs = inputsOf('assign', parse({ ...base, ip: '203.0.113.1', droplet_id: '42' }))
    expect(inputs.operation).toBe('assign')
    expect(inputs.droplet).toEqual({ kind: 'id', id: 42 })
    expect(inputs.wait).toBe(true)
    expect(inputs.timeoutMs).toBe(300_000)
    expect(parse({ ...base, ip: '203.0.113.1', droplet_id: '42', timeout: '5m' }).timeoutMs).toBe(300_000)
    expect(parse({ ...base, ip: '203.0.113.1', droplet_id: '42', timeout: '90s' }).timeoutMs).toBe(90_000)
    expect(parse({ ...base, ip: '203.0.113.1', droplet_id: '42', timeout: '1.5h' }).timeoutMs).toBe(5_400_000)
    expect(inputs.apiUrl.href).toBe('https://api.digitalocean.com/')
  })

  it('takes the token from the environment when the input is empty', () => {
    expect(parseAs('list', {}, { DIGITALOCEAN_ACCESS_TOKEN: 'a-token' }).token).toBe('a-token')
    expect(parseAs('list', {}, { DIGITALOCEAN_TOKEN: 'b-token' }).token).toBe('b-token')
    expect(parseAs('list', {}, { DIGITALOCEAN_ACCESS_TOKEN: 'a', DIGITALOCEAN_TOKEN: 'b' }).token).toBe('a')
    expect(parseAs('list', { token: 'input' }, { DIGITALOCEAN_ACCESS_TOKEN: 'a' }).token).toBe('input')
    expect(failure({ operation: 'list' }).input).toBe('token')
    expect(failure({ operation: 'list' }).message).toMatch(/DIGITALOCEAN_ACCESS_TOKEN.*DIGITALOCEAN_TOKEN/)
    expect(failure({ operation: 'list', token: 'bad\ntoken' }).input).toBe('token')
  })

  it('never puts the token into an error message', () => {
    const err = failure({ token: 'secret-value-123', operation: 'nope' })
    expect(err.message).not.toContain('secret-value-123')
  })

  it.each([
    [{ operation: 'move' }, 'operation'],
    [{ operation: 'get', ip: '203.0.113' }, 'ip'],
    [{ operation: 'get', ip: '../droplets/1' }, 'ip'],
    [{ operation: 'get', ip: '1.2.3.4/actions' }, 'ip'],
    [{ operation: 'get', ip: '203.0.113.0/24' }, 'ip'],
    [{ operation: 'get' }, 'ip'],
    [{ operation: 'unassign' }, 'ip'],
    [{ operation: 'delete' }, 'ip'],
    [{ operation: 'assign', ip: '203.0.113.1', droplet_id: 'abc' }, 'droplet_id'],
    [{ operation: 'assign', ip: '203.0.113.1', droplet_id: '-5' }, 'droplet_id'],
    [{ operation: 'assign', ip: '203.0.113.1', droplet_id: '0' }, 'droplet_id'],
    [{ operation: 'assign', ip: '203.0.113.1', droplet_id: '1.5' }, 'droplet_id'],
    [{ operation: 'assign', ip: '203.0.113.1', droplet_id: '99999999999999999999' }, 'droplet_id'],
    [{ operation: 'assign', ip: '203.0.113.1', droplet_id: '1', droplet_name: 'web' }, 'droplet_name'],
    [{ operation: 'assign', ip: '203.0.113.1', droplet_name: 'web', droplet_tag: 'green' }, 'droplet_tag'],
    [{ operation: 'assign', ip: '203.0.113.1', droplet_name: 'web/../x' }, 'droplet_name'],
    [{ operation: 'assign', ip: '203.0.113.1', droplet_tag: 'a b' }, 'droplet_tag'],
    [{ operation: 'unassign', ip: '203.0.113.1', droplet_id: '5' }, 'droplet_id'],
    [{ operation: 'get', ip: '203.0.113.1', timeout: 'soon' }, 'timeout'],
    [{ operation: 'get', ip: '203.0.113.1', timeout: '7h' }, 'timeout'],
    [{ operation: 'get', ip: '203.0.113.1', timeout: '5 minutes' }, 'timeout'],
    [{ operation: 'get', ip: '203.0.113.1', timeout: '-1' }, 'timeout'],
    [{ operation: 'get', ip: '203.0.113.1', timeout: '0' }, 'timeout'],
    [{ operation: 'list', ip_version: '5' }, 'ip_version'],
    [{ operation: 'create', region: 'nyc3', ip_version: 'all' }, 'ip_version'],
    [{ operation: 'get', ip: '203.0.113.1', ip_version: '6' }, 'ip_version'],
    [{ operation: 'create' }, 'region'],
    [{ operation: 'create', region: 'New York' }, 'region'],
    [{ operation: 'get', ip: '203.0.113.1', region: 'nyc3' }, 'region'],
    [{ operation: 'create', region: 'nyc3', project_id: 'not-a-uuid' }, 'project_id'],
    [
      { operation: 'create', region: 'nyc3', ip_version: '6', project_id: '746c6152-2fa2-11ed-92d3-27aaa54e4988' },
      'project_id'
    ],
    [{ operation: 'get', ip: '203.0.113.1', wait: 'yes' }, 'wait'],
    [{ operation: 'delete', ip: '203.0.113.1', dry_run: 'true' }, 'dry_run'],
    [{ operation: 'prune', dry_run: 'maybe' }, 'dry_run'],
    [{ operation: 'prune', keep: '203.0.113.1, nope' }, 'keep'],
    [{ operation: 'list', keep: '203.0.113.1' }, 'keep'],
    [{ operation: 'prune', keep_dns: 'yes' }, 'keep_dns'],
    [{ operation: 'list', keep_dns: 'true' }, 'keep_dns'],
    [{ operation: 'prune', max_release: '-1' }, 'max_release'],
    [{ operation: 'prune', max_release: '2.5' }, 'max_release'],
    [{ operation: 'prune', max_release: 'ten' }, 'max_release'],
    [{ operation: 'prune', max_release: '1000000' }, 'max_release'],
    [{ operation: 'delete', ip: '203.0.113.1', max_release: '3' }, 'max_release'],
    [{ operation: 'prune', unassigned_for: '0' }, 'unassigned_for'],
    [{ operation: 'prune', unassigned_for: '1w' }, 'unassigned_for'],
    [{ operation: 'prune', unassigned_for: '-5m' }, 'unassigned_for'],
    [{ operation: 'prune', unassigned_for: '1h30m' }, 'unassigned_for'],
    [{ operation: 'prune', unassigned_for: '4000d' }, 'unassigned_for'],
    [{ operation: 'list', unassigned_for: '1h' }, 'unassigned_for'],
    [{ operation: 'assign', ip: '203.0.113.1', droplet_id: '1', expected_droplet_id: 'x' }, 'expected_droplet_id'],
    [{ operation: 'get', ip: '203.0.113.1', expected_droplet_id: '5' }, 'expected_droplet_id'],
    [{ operation: 'list', api_url: 'http://api.example.com' }, 'api_url'],
    [{ operation: 'list', api_url: 'ftp://127.0.0.1' }, 'api_url'],
    [{ operation: 'list', api_url: 'not a url' }, 'api_url'],
    [{ operation: 'list', api_url: 'https://user:pw@api.example.com' }, 'api_url'],
    [{ operation: 'list', ip: '203.0.113.1' }, 'ip']
  ])('refuses %p, naming %s', (values, input) => {
    const err = failure({ ...base, ...values })
    expect(err.input).toBe(input)
    expect(err.message).toContain(`'${input}'`)
  })

  it('canonicalises the address and picks the family from it', () => {
    const inputs = parseAs('get', { ...base, ip: '2001:DB8::0:10' })
    expect(inputs.ip).toEqual({ text: '2001:db8::10', version: 6 })
  })

  it('reads create, list and prune settings', () => {
    expect(parseAs('create', { ...base, region: 'NYC3' }).ipVersion).toBe(4)
    expect(parseAs('create', { ...base, region: 'nyc3', ip_version: '6' }).ipVersion).toBe(6)
    expect(parseAs('list', { ...base }).ipVersion).toBeUndefined()
    expect(parseAs('list', { ...base, ip_version: 'all' }).ipVersion).toBeUndefined()
    // 'all' is the documented default for every operation but create.
    expect(parseAs('get', { ...base, ip: '2001:db8::1', ip_version: 'all' }).ip.version).toBe(6)
    const prune = parseAs('prune', {
      ...base,
      dry_run: 'TRUE',
      keep: '203.0.113.1,\n2001:DB8::1  198.51.100.2'
    })
    expect(prune.dryRun).toBe(true)
    expect(prune.keep.map((a) => a.text)).toEqual(['203.0.113.1', '2001:db8::1', '198.51.100.2'])
  })

  it("reads prune's guards, and takes their defaults from action.yml with any operation", () => {
    expect(parseAs('prune', { ...base })).toMatchObject({ keepDns: false, maxRelease: 10 })
    expect(parseAs('prune', { ...base }).unassignedForMs).toBeUndefined()
    const guarded = parseAs('prune', { ...base, keep_dns: 'TRUE', max_release: '0', unassigned_for: '90' })
    expect(guarded).toMatchObject({ keepDns: true, maxRelease: 0, unassignedForMs: 90_000 })
    const ms = (text: string): number | undefined => parseAs('prune', { ...base, unassigned_for: text }).unassignedForMs
    expect([ms('45s'), ms('30m'), ms('1.5h'), ms('7d'), ms('12 H')]).toEqual([
      45_000, 1_800_000, 5_400_000, 604_800_000, 43_200_000
    ])
    // A runner passes every default: keep_dns false and max_release 10 reach every operation.
    const get = parseAs('get', { ...base, ip: '203.0.113.1', keep_dns: 'false', max_release: '10' })
    expect(get.ip.text).toBe('203.0.113.1')
  })

  it("says each duration's range in its own units, and offers only examples within it", () => {
    const said = (values: Record<string, string>): string => failure({ ...base, ...values }).message
    const timeout = said({ operation: 'get', ip: '203.0.113.1', timeout: '1h30m' })
    expect(timeout).toMatch(/from 1 s to 6 h: .*\(like 90, 5m, 1h\), got '1h30m'/)
    const probing = { ip: '203.0.113.1', droplet_id: '1', verify_url: 'http://{ip}/' }
    expect(said({ ...probing, verify_timeout: '2h' })).toMatch(/from 1 s to 1 h: .*\(like 90, 5m, 1h\)/)
    expect(said({ ...probing, verify_for: '61m' })).toMatch(/0 or more and at most 1 h: .*\(like 90, 5m, 1h\)/)
    const idle = said({ operation: 'prune', unassigned_for: '0' })
    expect(idle).toMatch(/more than 0 and at most 3650 days: .*\(like 90, 5m, 1h, 12h, 7d\)/)
  })

  it('accepts expected_droplet_id none and a number', () => {
    expect(
      parseAs('unassign', { ...base, ip: '203.0.113.1', expected_droplet_id: 'none' }).expectedDropletId
    ).toBeNull()
    expect(parseAs('unassign', { ...base, ip: '203.0.113.1', expected_droplet_id: '7' }).expectedDropletId).toBe(7)
  })

  it('takes an api_url written with the API version as the same API', () => {
    expect(parseAs('list', { ...base, api_url: 'https://api.digitalocean.com/v2/' }).apiUrl.href).toBe(
      'https://api.digitalocean.com/'
    )
    expect(parseAs('list', { ...base, api_url: 'http://127.0.0.1:9/do' }).apiUrl.href).toBe('http://127.0.0.1:9/do')
  })

  it('allows plain http only to loopback', () => {
    expect(parseAs('list', { ...base, api_url: 'http://127.0.0.1:8080/' }).apiUrl.href).toBe('http://127.0.0.1:8080/')
    expect(parseAs('list', { ...base, api_url: 'http://localhost:1' }).apiUrl.hostname).toBe('localhost')
    expect(parseAs('list', { ...base, api_url: 'http://[::1]:9/' }).apiUrl.hostname).toBe('[::1]')
    expect(failure({ ...base, operation: 'list', api_url: 'http://127.0.0.1.evil.com' }).input).toBe('api_url')
  })
})
