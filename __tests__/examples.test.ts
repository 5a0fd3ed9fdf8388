/**
 * The example workflows (and the README's YAML blocks) use only inputs that action.yml declares, and
 * read only outputs it declares, from steps that run this action.
 */
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

interface Step {
  id?: string
  uses?: string
  with?: Record<string, unknown>
}

const action = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, unknown>
  outputs: Record<string, unknown>
}
const inputs = new Set(Object.keys(action.inputs))
const outputs = new Set(Object.keys(action.outputs))

const usesThisAction = (uses: string | undefined): boolean =>
  !!uses && (/do-reserved-ip-action@/.test(uses) || /^\.\/?$/.test(uses))

/** Every step in a workflow (jobs.*.steps), or in a bare list of steps. */
function stepsOf(doc: unknown): Step[] {
  if (Array.isArray(doc)) return doc as Step[]
  const jobs = (doc as { jobs?: Record<string, { steps?: Step[] }> })?.jobs ?? {}
  return Object.values(jobs).flatMap((job) => job.steps ?? [])
}

/** Problems with how a workflow text uses this action; [] when there are none. */
export function checkWorkflow(text: string): string[] {
  const problems: string[] = []
  const steps = stepsOf(parse(text))
  const ours = new Set<string>()
  for (const step of steps) {
    if (!usesThisAction(step.uses)) continue
    if (step.id) ours.add(step.id)
    for (const key of Object.keys(step.with ?? {})) {
      if (!inputs.has(key)) problems.push(`step ${step.id ?? step.uses}: '${key}' is not an input of action.yml`)
    }
  }
  for (const [, id, name] of text.matchAll(/steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)) {
    if (!ours.has(id!)) problems.push(`steps.${id}.outputs.${name}: no step with id '${id}' runs this action`)
    else if (!outputs.has(name!)) problems.push(`steps.${id}.outputs.${name}: '${name}' is not an output of action.yml`)
  }
  return problems
}

const workflowFiles = ['examples', '.github/workflows']
  .filter((dir) => existsSync(dir))
  .flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => join(dir, f))
  )

describe('example workflows', () => {
  it('exist', () => {
    expect(workflowFiles).toEqual(
      expect.arrayContaining(['examples/blue-green-deploy.yml', 'examples/nightly-cleanup.yml'])
    )
  })

  it.each(workflowFiles)('%s uses only declared inputs and outputs', (file) => {
    const text = readFileSync(file, 'utf8')
    if (file.startsWith('examples/')) expect(stepsOf(parse(text)).some((s) => usesThisAction(s.uses))).toBe(true)
    expect(checkWorkflow(text)).toEqual([])
  })

  it.each(workflowFiles.filter((f) => f.startsWith('examples/')))(
    '%s has a concurrency group and least permissions',
    (file) => {
      const doc = parse(readFileSync(file, 'utf8')) as {
        concurrency?: { group?: string; 'cancel-in-progress'?: boolean }
        permissions?: Record<string, string>
      }
      expect(doc.concurrency?.group).toBeTruthy()
      expect(doc.concurrency?.['cancel-in-progress']).toBe(false)
      expect(doc.permissions).toEqual({ contents: 'read' })
    }
  )

  it('the nightly cleanup is scheduled and is a dry run on pull requests', () => {
    const doc = parse(readFileSync('examples/nightly-cleanup.yml', 'utf8')) as { on: Record<string, unknown> }
    expect(doc.on.schedule).toBeDefined()
    const prune = stepsOf(doc).find((s) => s.with?.operation === 'prune')
    expect(prune?.with?.dry_run).toBe("${{ github.event_name == 'pull_request' }}")
  })

  it("the README's YAML blocks use only declared inputs and outputs", () => {
    const readme = readFileSync('README.md', 'utf8')
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!)
    expect(blocks.length).toBeGreaterThanOrEqual(4)
    for (const block of blocks) expect(checkWorkflow(block)).toEqual([])
  })

  it('catches an unknown input and an unknown output', () => {
    const bad = `
jobs:
  j:
    steps:
      - id: ip
        uses: your-org/do-reserved-ip-action@v1
        with:
          operation: assign
          droplet: '5'
      - run: echo \${{ steps.ip.outputs.droplet }} \${{ steps.other.outputs.ip }}
`
    expect(checkWorkflow(bad)).toEqual([
      "step ip: 'droplet' is not an input of action.yml",
      "steps.ip.outputs.droplet: 'droplet' is not an output of action.yml",
      "steps.other.outputs.ip: no step with id 'other' runs this action"
    ])
  })
})
