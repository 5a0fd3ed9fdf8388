/**
 * The example workflows and the repository's own workflows use only inputs that action.yml
 * declares, and read only outputs it declares, from earlier steps of the same job that run this
 * action.
 */
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

interface Step {
  id?: string
  name?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, unknown>
  env?: Record<string, unknown>
}

interface Job {
  steps?: Step[]
  [key: string]: unknown
}

interface Workflow {
  on?: unknown
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean }
  permissions?: Record<string, string>
  jobs?: Record<string, Job>
  [key: string]: unknown
}

const root = process.cwd()
const read = (file: string): string => readFileSync(join(root, file), 'utf8')

const action = parse(read('action.yml')) as {
  inputs: Record<string, unknown>
  outputs: Record<string, unknown>
}
const inputs = new Set(Object.keys(action.inputs))
const outputs = new Set(Object.keys(action.outputs))

/** `uses:` of a step that runs this action: the published action at some ref, or the repository itself. */
export const usesThisAction = (uses: string | undefined): boolean =>
  uses !== undefined && (/(^|\/)do-reserved-ip-action@[^\s/]+$/.test(uses) || /^\.\/?$/.test(uses))

/** Every string (keys too) inside a parsed YAML node. */
function stringsIn(node: unknown): string[] {
  if (typeof node === 'string') return [node]
  if (Array.isArray(node)) return node.flatMap(stringsIn)
  if (node !== null && typeof node === 'object') {
    return Object.entries(node).flatMap(([key, value]) => [key, ...stringsIn(value)])
  }
  return []
}

/** `steps.<id>.outputs.<name>` references in a node, as [id, name] pairs. */
function outputRefs(node: unknown): [string, string][] {
  return stringsIn(node).flatMap((s) =>
    [...s.matchAll(/\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)].map((m): [string, string] => [
      m[1]!,
      m[2]!
    ])
  )
}

/**
 * Problems with how a workflow's text (or a bare list of steps) uses this action; [] when there are
 * none. Throws when the YAML does not parse.
 */
export function checkWorkflow(text: string): string[] {
  const parsed = (parse(text) ?? {}) as Workflow | Step[]
  // A bare list of steps (as in a README snippet) is checked as the steps of one job.
  const doc: Workflow = Array.isArray(parsed) ? { jobs: { steps: { steps: parsed } } } : parsed
  const problems: string[] = []
  const checkRef = (where: string, id: string, name: string, ours: ReadonlySet<string>): void => {
    const ref = `steps.${id}.outputs.${name}`
    if (!ours.has(id)) problems.push(`${where}: ${ref}: no earlier step with id '${id}' in this job runs this action`)
    else if (!outputs.has(name)) problems.push(`${where}: ${ref}: '${name}' is not an output of action.yml`)
  }

  // Outside of jobs there is no steps context at all.
  const { jobs = {}, ...rest } = doc
  for (const [id, name] of outputRefs(rest)) checkRef('workflow', id, name, new Set())

  for (const [jobName, job] of Object.entries(jobs)) {
    const steps = job.steps ?? []
    const ours = new Set<string>()
    steps.forEach((step, index) => {
      const where = `job ${jobName}, step ${step.id ?? step.name ?? index + 1}`
      // A step sees the outputs of the steps before it, never its own or later ones.
      for (const [id, name] of outputRefs(step)) checkRef(where, id, name, ours)
      if (!usesThisAction(step.uses)) return
      for (const key of Object.keys(step.with ?? {})) {
        if (!inputs.has(key)) problems.push(`${where}: '${key}' is not an input of action.yml`)
      }
      if (step.id) ours.add(step.id)
    })
    // Job-level keys (outputs, for example) see every step of the job.
    const jobRest = Object.fromEntries(Object.entries(job).filter(([key]) => key !== 'steps'))
    for (const [id, name] of outputRefs(jobRest)) checkRef(`job ${jobName}`, id, name, ours)
  }
  return problems
}

const stepsOf = (doc: Workflow): Step[] => Object.values(doc.jobs ?? {}).flatMap((job) => job.steps ?? [])

const yamlFiles = (dir: string): string[] =>
  existsSync(join(root, dir))
    ? readdirSync(join(root, dir))
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => `${dir}/${f}`)
    : []

const examples = yamlFiles('examples')
const workflows = [...examples, ...yamlFiles('.github/workflows')]

describe('workflows that use the action', () => {
  it('include both examples and the end-to-end workflow', () => {
    expect(examples).toEqual(expect.arrayContaining(['examples/blue-green-deploy.yml', 'examples/nightly-cleanup.yml']))
    expect(workflows).toContain('.github/workflows/e2e.yml')
  })

  it.each(workflows)('%s parses and uses only declared inputs and outputs', (file) => {
    const text = read(file)
    const doc = parse(text) as Workflow
    expect(Object.keys(doc.jobs ?? {}).length).toBeGreaterThan(0)
    if (file.startsWith('examples/') || file.endsWith('/e2e.yml')) {
      expect(stepsOf(doc).some((s) => usesThisAction(s.uses))).toBe(true)
    }
    expect(checkWorkflow(text)).toEqual([])
  })

  it.each(workflows)('%s grants the workflow token only contents: read', (file) => {
    const doc = parse(read(file)) as Workflow
    expect(doc.permissions).toEqual({ contents: 'read' })
  })

  it.each(examples)('%s has a concurrency group that never cancels a run in progress', (file) => {
    const doc = parse(read(file)) as Workflow
    expect(doc.concurrency?.group).toBeTruthy()
    expect(doc.concurrency?.['cancel-in-progress']).toBe(false)
  })

  it.each(examples)(
    '%s refers to the action as your-org/do-reserved-ip-action@v1 and takes the token from a secret',
    (file) => {
      const ours = stepsOf(parse(read(file)) as Workflow).filter((s) => usesThisAction(s.uses))
      expect(ours.length).toBeGreaterThan(0)
      for (const step of ours) {
        expect(step.uses).toBe('your-org/do-reserved-ip-action@v1')
        expect(step.with?.token).toBe('${{ secrets.DIGITALOCEAN_TOKEN }}')
      }
    }
  )

  it('the blue-green example cuts over by tag, smoke-tests, and rolls back to the previous droplet', () => {
    const steps = stepsOf(parse(read('examples/blue-green-deploy.yml')) as Workflow)
    const cutoverAt = steps.findIndex((s) => s.id === 'cutover')
    const cutover = steps[cutoverAt]!
    expect(cutover.with).toMatchObject({
      operation: 'assign',
      ip: '${{ vars.PRODUCTION_IP }}',
      droplet_tag: expect.any(String)
    })
    const rollbackAt = steps.findIndex((s) => s.if?.includes("failure() && steps.cutover.outputs.changed == 'true'"))
    expect(rollbackAt).toBeGreaterThan(cutoverAt + 1)
    expect(usesThisAction(steps[rollbackAt]!.uses)).toBe(true)
    expect(steps[rollbackAt]!.with).toMatchObject({
      operation: 'assign',
      droplet_id: '${{ steps.cutover.outputs.previous_droplet_id }}'
    })
    // Something between the cutover and the rollback checks the new droplet.
    expect(steps.slice(cutoverAt + 1, rollbackAt).some((s) => s.run !== undefined)).toBe(true)
  })

  it('the nightly cleanup is scheduled, can be started by hand, and is a dry run on pull requests', () => {
    const doc = parse(read('examples/nightly-cleanup.yml')) as Workflow & { on: Record<string, unknown> }
    expect(doc.on.schedule).toEqual([{ cron: expect.any(String) }])
    expect(Object.keys(doc.on)).toEqual(expect.arrayContaining(['schedule', 'pull_request', 'workflow_dispatch']))
    const prune = stepsOf(doc).find((s) => s.with?.operation === 'prune')
    expect(prune?.with?.dry_run).toBe("${{ github.event_name == 'pull_request' }}")
    expect(prune?.with?.keep).toMatch(/^\$\{\{ vars\.[A-Z_]+ \}\}$/)
    const text = read('examples/nightly-cleanup.yml')
    expect(text).toContain(`steps.${prune?.id}.outputs.count`)
    expect(text).toContain(`steps.${prune?.id}.outputs.ips`)
  })
})

describe("the README's YAML blocks", () => {
  it('use only declared inputs and outputs', () => {
    const blocks = [...read('README.md').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!)
    expect(blocks.length).toBeGreaterThanOrEqual(4)
    for (const block of blocks) expect(checkWorkflow(block)).toEqual([])
  })
})

describe('checkWorkflow', () => {
  it('accepts a correct workflow', () => {
    const good = `
jobs:
  j:
    outputs:
      ip: \${{ steps.ip.outputs.ip }}
    steps:
      - id: ip
        uses: your-org/do-reserved-ip-action@v1
        with:
          operation: get
          ip: 203.0.113.10
      - run: echo "\${{ steps.ip.outputs.droplet_id }}"
      - uses: ./
        with:
          operation: assign
          ip: \${{ steps.ip.outputs.ip }}
          droplet_id: '1002'
`
    expect(checkWorkflow(good)).toEqual([])
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
      "job j, step ip: 'droplet' is not an input of action.yml",
      "job j, step 2: steps.ip.outputs.droplet: 'droplet' is not an output of action.yml",
      "job j, step 2: steps.other.outputs.ip: no earlier step with id 'other' in this job runs this action"
    ])
  })

  it('catches outputs read from another action, a later step, another job, or outside any job', () => {
    const bad = `
concurrency:
  group: \${{ steps.ip.outputs.ip }}
jobs:
  a:
    steps:
      - id: build
        uses: actions/setup-node@v7
      - run: echo \${{ steps.build.outputs.ip }} \${{ steps.ip.outputs.ip }}
      - id: ip
        uses: ./
        with:
          operation: list
  b:
    steps:
      - run: echo \${{ steps.ip.outputs.count }}
`
    expect(checkWorkflow(bad)).toEqual([
      "workflow: steps.ip.outputs.ip: no earlier step with id 'ip' in this job runs this action",
      "job a, step 2: steps.build.outputs.ip: no earlier step with id 'build' in this job runs this action",
      "job a, step 2: steps.ip.outputs.ip: no earlier step with id 'ip' in this job runs this action",
      "job b, step 1: steps.ip.outputs.count: no earlier step with id 'ip' in this job runs this action"
    ])
  })

  it('would fail an example that used an unknown input', () => {
    const text = read('examples/blue-green-deploy.yml').replace('droplet_tag: green', 'droplet_tags: green')
    expect(checkWorkflow(text)).toEqual(["job deploy, step cutover: 'droplet_tags' is not an input of action.yml"])
  })

  it('checks a bare list of steps as one job', () => {
    const steps = `
- id: ip
  uses: ./
  with:
    operation: get
    ip: 203.0.113.10
- run: echo \${{ steps.ip.outputs.droplet_id }} \${{ steps.ip.outputs.droplet }}
`
    expect(checkWorkflow(steps)).toEqual([
      "job steps, step 2: steps.ip.outputs.droplet: 'droplet' is not an output of action.yml"
    ])
  })

  it('refuses a workflow that does not parse', () => {
    expect(() => checkWorkflow('jobs:\n  j:\n    steps: [\n')).toThrow()
  })
})
