/** Parsing yields one operation's inputs: exactly the fields that operation uses, checked by the compiler and at run time. */
import { describe, expect, it } from '@jest/globals'
import type { Address, IpVersion } from '../../src/inputs/address.js'
import { givenAddresses, parseInputs, type InputsOf } from '../../src/inputs/inputs.js'
import { OPERATIONS, type Operation } from '../../src/inputs/operation.js'
import { inputsOf } from '../helpers/inputs.js'

const parseAs = <O extends Operation>(operation: O, values: Record<string, string> = {}): InputsOf<O> =>
  inputsOf(
    operation,
    parseInputs((name) => ({ token: 'dop_v1_test', ...values, operation })[name] ?? '', {})
  )

/** true when A and B are the same type (not merely assignable one to the other). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

type Step = 'operation' | 'token' | 'apiUrl' | 'timeoutMs'
type Cutover = Step | 'ips' | 'expectedDropletId' | 'wait' | 'rollback'

// Each line fails to compile when an operation's inputs gain or lose a field.
const fields: { readonly [O in Operation]: true } = {
  assign: true satisfies Same<keyof InputsOf<'assign'>, Cutover | 'droplet' | 'verify' | 'precheck'>,
  unassign: true satisfies Same<keyof InputsOf<'unassign'>, Cutover>,
  create: true satisfies Same<
    keyof InputsOf<'create'>,
    Step | 'region' | 'droplet' | 'ipVersion' | 'projectId' | 'wait'
  >,
  get: true satisfies Same<keyof InputsOf<'get'>, Step | 'ip'>,
  list: true satisfies Same<keyof InputsOf<'list'>, Step | 'region' | 'ipVersion'>,
  delete: true satisfies Same<keyof InputsOf<'delete'>, Step | 'ip'>,
  prune: true satisfies Same<
    keyof InputsOf<'prune'>,
    Step | 'region' | 'ipVersion' | 'dryRun' | 'keep' | 'keepDns' | 'maxRelease' | 'unassignedForMs'
  >,
  rollback: true satisfies Same<keyof InputsOf<'rollback'>, Step | 'moves'>
}

describe('the inputs of each operation', () => {
  it('covers every operation', () => {
    expect(Object.keys(fields).sort()).toEqual([...OPERATIONS].sort())
  })

  it.each<[Operation, Record<string, string>, string[]]>([
    ['assign', { ip: '192.0.2.1', droplet_id: '1' }, ['droplet', 'expectedDropletId', 'ips', 'rollback', 'wait']],
    ['unassign', { ip: '192.0.2.1' }, ['expectedDropletId', 'ips', 'rollback', 'wait']],
    ['create', { region: 'nyc3' }, ['ipVersion', 'projectId', 'region', 'wait']],
    ['get', { ip: '192.0.2.1' }, ['ip']],
    ['list', {}, ['ipVersion', 'region']],
    ['delete', { ip: '192.0.2.1' }, ['ip']],
    ['prune', {}, ['dryRun', 'ipVersion', 'keep', 'keepDns', 'maxRelease', 'region', 'unassignedForMs']],
    ['rollback', {}, ['moves']]
  ])('%s has only its own fields beside the common ones', (operation, values, own) => {
    const keys = Object.keys(parseAs(operation, values)).sort()
    expect(keys).toEqual(['apiUrl', 'operation', 'timeoutMs', 'token', ...own].sort())
  })

  it('gives an operation what it needs without a check of its own', () => {
    const assign = parseAs('assign', { ip: '192.0.2.1 2001:db8::1', droplet_name: 'web' })
    // Non-empty by type: the first address is an Address, never undefined.
    const first: Address = assign.ips[0]
    expect(first.text).toBe('192.0.2.1')
    expect(assign.droplet).toEqual({ kind: 'name', name: 'web' })
    const version: IpVersion = parseAs('create', { droplet_id: '5' }).ipVersion
    expect(version).toBe(4)
    const get = parseAs('get', { ip: '2001:db8::1' })
    const ip: Address = get.ip
    expect(ip.version).toBe(6)
  })

  it('has no field of another operation', () => {
    const prune = parseAs('prune', { region: 'nyc3' })
    // @ts-expect-error a prune has no target droplet
    expect(prune.droplet).toBeUndefined()
    // @ts-expect-error nor addresses to act on
    expect(prune.ips).toBeUndefined()
    const list = parseAs('list')
    // @ts-expect-error list has no keep (prune's)
    expect(list.keep).toBeUndefined()
    const get = parseAs('get', { ip: '192.0.2.1' })
    // @ts-expect-error get does not wait for anything
    expect(get.wait).toBeUndefined()
    const rollback = parseAs('rollback', { moves: '[]' })
    // @ts-expect-error rollback always waits: it has no wait
    expect(rollback.wait).toBeUndefined()
    const unassign = parseAs('unassign', { ip: '192.0.2.1' })
    // @ts-expect-error only assign probes
    expect(unassign.verify).toBeUndefined()
  })

  it('names the addresses given, for a report of a step that failed', () => {
    expect(givenAddresses(parseAs('assign', { ip: '192.0.2.1 2001:DB8::0:1', droplet_id: '1' }))).toEqual([
      '192.0.2.1',
      '2001:db8::1'
    ])
    expect(givenAddresses(parseAs('delete', { ip: '192.0.2.7' }))).toEqual(['192.0.2.7'])
    expect(givenAddresses(parseAs('list'))).toEqual([])
    expect(givenAddresses(undefined)).toEqual([])
  })
})
