/** action.yml: the metadata a runner and the Marketplace read, holding every input and output of the action's interface. */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { OUTPUT_NAMES } from '../../src/report/result.js'
import { knowsRollback } from '../helpers/operation-probe.js'

interface ActionYml {
  name: string
  description: string
  branding: { icon: string; color: string }
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string }
}

const action = parse(readFileSync('action.yml', 'utf8')) as ActionYml

// The action's promised interface, its contract with workflow authors: these names never change within v2.
const CONTRACT_INPUTS = [
  'token',
  'operation',
  'ip',
  'droplet_id',
  'droplet_name',
  'droplet_tag',
  'region',
  'ip_version',
  'project_id',
  'wait',
  'timeout',
  'dry_run',
  'keep',
  'keep_dns',
  'max_release',
  'unassigned_for',
  'expected_droplet_id',
  'api_url',
  'verify_url',
  'verify_contains',
  'verify_timeout',
  'precheck_url',
  'verify_host',
  'verify_for',
  'rollback',
  'moves'
]
const CONTRACT_OUTPUTS = [
  'ip',
  'ip_version',
  'droplet_id',
  'previous_droplet_id',
  'region',
  'action_id',
  'action_status',
  'changed',
  'ips',
  'count',
  'json',
  'verified',
  'rolled_back',
  'moves'
]

describe('action.yml', () => {
  it('runs dist/index.js on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  it('has a name, a description and branding', () => {
    expect(action.name.length).toBeGreaterThan(3)
    expect(action.description.length).toBeGreaterThan(20)
    expect(action.branding.icon).toMatch(/^[a-z0-9-]+$/)
    // The colors GitHub accepts for a Marketplace badge.
    expect(['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark']).toContain(
      action.branding.color
    )
  })

  it("declares exactly the contract's inputs, each described with a default", () => {
    expect(Object.keys(action.inputs)).toEqual(CONTRACT_INPUTS)
    for (const [name, input] of Object.entries(action.inputs)) {
      expect({ name, described: input.description.length > 10 }).toEqual({ name, described: true })
      expect({ name, default: typeof input.default }).toEqual({ name, default: 'string' })
    }
    expect(action.inputs.operation!.default).toBe('assign')
    expect(action.inputs.wait!.default).toBe('true')
    expect(action.inputs.timeout!.default).toBe('300')
    expect(action.inputs.dry_run!.default).toBe('false')
    expect(action.inputs.keep_dns!.default).toBe('false')
    expect(action.inputs.max_release!.default).toBe('10')
    expect(action.inputs.unassigned_for!.default).toBe('')
    expect(action.inputs.api_url!.default).toBe('https://api.digitalocean.com')
  })

  it("declares exactly the contract's outputs, each described, and the code sets exactly those", () => {
    expect(Object.keys(action.outputs)).toEqual(CONTRACT_OUTPUTS)
    for (const output of Object.values(action.outputs)) expect(output.description.length).toBeGreaterThan(2)
    // Until src/ knows operation: rollback (and its moves output), the code is held to the outputs before it.
    const coded = knowsRollback() ? CONTRACT_OUTPUTS : CONTRACT_OUTPUTS.filter((name) => name !== 'moves')
    expect([...OUTPUT_NAMES]).toEqual(coded)
  })

  it('names every operation of the contract, rollback included, and describes durations with their units', () => {
    for (const op of ['assign', 'unassign', 'create', 'get', 'list', 'delete', 'prune', 'rollback']) {
      expect(action.inputs.operation!.description).toContain(`\`${op}\``)
    }
    expect(action.inputs.moves!.description).toMatch(/`rollback`/)
    expect(action.outputs.moves!.description).toMatch(/\{"ip", "from", "to"\}/)
    expect(action.outputs.action_status!.description).toMatch(/in-progress.*timeout/)
    expect(action.outputs.changed!.description).toMatch(/or may have/)
    expect(action.outputs.verified!.description).toMatch(/precheck/)
    // Every duration input says its units, as the contract gives them.
    for (const name of ['timeout', 'verify_timeout', 'verify_for', 'unassigned_for']) {
      expect([name, action.inputs[name]!.description]).toEqual([
        name,
        expect.stringMatching(/seconds, or .*`\d+[smhd]`/)
      ])
    }
  })
})
