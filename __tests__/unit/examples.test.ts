/**
 * The example workflows and the repository's own workflows use only inputs that action.yml
 * declares, and read only outputs it declares, from earlier steps of the same job that run this
 * action. What a reader copies (examples, README blocks, workflows) is safe to copy: no run: step
 * interpolates an expression, the action is pinned by commit SHA, each job has its own
 * least-privilege token, and pull requests get only a read-only one.
 */
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { tableUnder } from '../helpers/markdown.js'
import type { Step, Workflow } from '../helpers/workflow.js'

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
  // A run: step's outputs are whatever it writes to GITHUB_OUTPUT: only this action's are checked.
  const checkRef = (
    where: string,
    id: string,
    name: string,
    ours: ReadonlySet<string>,
    runs = new Set<string>()
  ): void => {
    const ref = `steps.${id}.outputs.${name}`
    if (runs.has(id)) return
    if (!ours.has(id)) problems.push(`${where}: ${ref}: no earlier step with id '${id}' in this job runs this action`)
    else if (!outputs.has(name)) problems.push(`${where}: ${ref}: '${name}' is not an output of action.yml`)
  }

  // Outside of jobs there is no steps context at all.
  const { jobs = {}, ...rest } = doc
  for (const [id, name] of outputRefs(rest)) checkRef('workflow', id, name, new Set())

  for (const [jobName, job] of Object.entries(jobs)) {
    const steps = job.steps ?? []
    const ours = new Set<string>()
    const runs = new Set<string>()
    steps.forEach((step, index) => {
      const where = `job ${jobName}, step ${step.id ?? step.name ?? index + 1}`
      // A step sees the outputs of the steps before it, never its own or later ones.
      for (const [id, name] of outputRefs(step)) checkRef(where, id, name, ours, runs)
      if (step.id && step.run !== undefined) runs.add(step.id)
      if (!usesThisAction(step.uses)) return
      for (const key of Object.keys(step.with ?? {})) {
        if (!inputs.has(key)) problems.push(`${where}: '${key}' is not an input of action.yml`)
      }
      if (step.id) ours.add(step.id)
    })
    // Job-level keys (outputs, for example) see every step of the job.
    const jobRest = Object.fromEntries(Object.entries(job).filter(([key]) => key !== 'steps'))
    for (const [id, name] of outputRefs(jobRest)) checkRef(`job ${jobName}`, id, name, ours, runs)
  }
  return problems
}

/** A workflow, or a bare list of steps (as in a README snippet) taken as the steps of one job. */
export function asWorkflow(text: string): Workflow {
  const parsed = (parse(text) ?? {}) as Workflow | Step[]
  return Array.isArray(parsed) ? { jobs: { steps: { steps: parsed } } } : parsed
}

/** The events a workflow runs on. */
export function triggers(doc: Workflow): string[] {
  const on = doc.on
  if (typeof on === 'string') return [on]
  if (Array.isArray(on)) return on.map(String)
  return on !== null && typeof on === 'object' ? Object.keys(on) : []
}

/**
 * `run:` steps that put a `${{ }}` expression straight into the shell script: GitHub's hardening
 * guide says to pass values through `env:` instead. [] when there are none.
 */
export function expressionsInRun(text: string): string[] {
  const problems: string[] = []
  for (const [jobName, job] of Object.entries(asWorkflow(text).jobs ?? {})) {
    ;(job.steps ?? []).forEach((step, index) => {
      const found = typeof step.run === 'string' ? step.run.match(/\$\{\{[\s\S]*?\}\}/g) : null
      if (found)
        problems.push(`job ${jobName}, step ${step.id ?? step.name ?? index + 1}: run: has ${found.join(', ')}`)
    })
  }
  return problems
}

/**
 * `uses:` lines of this action that are not pinned the way the README recommends: a full commit
 * SHA, with the release it is in as a `# vX.Y.Z` comment. [] when there are none.
 */
export function unpinnedUses(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /^\s*(- )?uses:\s*\S*do-reserved-ip-action@/.test(line))
    .filter((line) => !/uses: [\w.-]+\/do-reserved-ip-action@[0-9a-f]{40} # v\d+\.\d+\.\d+$/.test(line))
    .map((line) => line.trim())
}

/** The secret each job passes as this action's token, as [job, secret name] pairs. */
export function secretsOf(doc: Workflow): [string, string][] {
  return Object.entries(doc.jobs ?? {}).flatMap(([jobName, job]) =>
    (job.steps ?? [])
      .filter((s) => usesThisAction(s.uses))
      .map((s): [string, string] => {
        const m = /^\$\{\{ secrets\.([A-Za-z0-9_]+) \}\}$/.exec(String(s.with?.token ?? ''))
        return [jobName, m ? m[1]! : `(not a secret: ${String(s.with?.token)})`]
      })
  )
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

  it.each(examples)('%s names each secret it uses, with its scopes, in its opening comment', (file) => {
    const text = read(file)
    const header = text.slice(0, text.search(/^name:/m))
    for (const [, secret] of secretsOf(parse(text) as Workflow)) {
      const at = header.indexOf(secret)
      expect([secret, at >= 0]).toEqual([secret, true])
      expect(header.slice(at, at + 400)).toMatch(/reserved_ip:read/)
    }
  })

  it('the blue-green example cuts a dual-stack pair over by tag, verifies through both, and rolls back in one step after a later failure or a cancellation', () => {
    const steps = stepsOf(parse(read('examples/blue-green-deploy.yml')) as Workflow)
    const cutoverAt = steps.findIndex((s) => s.id === 'cutover')
    const cutover = steps[cutoverAt]!
    expect(cutover.with).toMatchObject({
      operation: 'assign',
      droplet_tag: expect.any(String),
      expected_droplet_id: expect.stringContaining('steps.before.outputs.droplet_id'),
      verify_url: expect.stringContaining('{ip}'),
      verify_contains: '${{ github.sha }}'
    })
    // An IPv4 and an IPv6 in one step.
    const pair = '${{ vars.PRODUCTION_IPV4 }}\n${{ vars.PRODUCTION_IPV6 }}'
    expect(String(cutover.with?.ip).trim()).toBe(pair)
    // The action's own roll-back is on (the default) and no smoke test of its own is needed.
    expect(cutover.with?.rollback ?? 'true').toBe('true')
    expect(steps.some((s) => /\bcurl\b/.test(s.run ?? ''))).toBe(false)
    // One roll-back step, on failure or cancellation, undoing exactly what the cutover moved.
    const rollbackAt = steps.findIndex((s) => s.with?.operation === 'rollback')
    expect(rollbackAt).toBeGreaterThan(cutoverAt + 1)
    expect(steps[rollbackAt]!.if).toBe('failure() || cancelled()')
    expect(usesThisAction(steps[rollbackAt]!.uses)).toBe(true)
    expect(steps[rollbackAt]!.with).toEqual({
      token: cutover.with?.token,
      operation: 'rollback',
      moves: '${{ steps.cutover.outputs.moves }}'
    })
  })

  it('the nightly cleanup is scheduled, can be started by hand, and is a read-only dry run on pull requests', () => {
    const doc = parse(read('examples/nightly-cleanup.yml')) as Workflow & { on: Record<string, unknown> }
    expect(doc.on.schedule).toEqual([{ cron: expect.any(String) }])
    expect(Object.keys(doc.on)).toEqual(expect.arrayContaining(['schedule', 'pull_request', 'workflow_dispatch']))
    const jobs = doc.jobs ?? {}
    const prunes = Object.entries(jobs).flatMap(([name, job]) =>
      (job.steps ?? []).filter((s) => s.with?.operation === 'prune').map((step) => ({ name, job, step }))
    )
    const live = prunes.filter(({ step }) => step.with?.dry_run === undefined)
    const dry = prunes.filter(({ step }) => step.with?.dry_run === 'true')
    expect([live.length, dry.length, prunes.length]).toEqual([1, 1, 2])
    expect(live[0]!.job.if).toBe("github.event_name != 'pull_request'")
    expect(live[0]!.job.environment).toBeTruthy()
    expect(dry[0]!.job.if).toMatch(/^github\.event_name == 'pull_request' && /)
    expect(dry[0]!.step.with?.token).toBe('${{ secrets.DIGITALOCEAN_READ_TOKEN }}')
    for (const { step } of prunes) expect(step.with?.keep).toMatch(/^\$\{\{ vars\.[A-Z_]+ \}\}$/)
    // Both spare what DNS points at and what was in use lately, and their tokens can read DNS.
    for (const { step } of prunes) expect(step.with).toMatchObject({ keep_dns: 'true', unassigned_for: '1d' })
    const header = read('examples/nightly-cleanup.yml').split(/^name:/m)[0]!
    for (const secret of ['DIGITALOCEAN_PRUNE_TOKEN', 'DIGITALOCEAN_READ_TOKEN']) {
      expect(header).toMatch(new RegExp(`${secret} +reserved_ip:read[^\n]*domain:read`))
    }
    const text = read('examples/nightly-cleanup.yml')
    for (const { step } of prunes) {
      expect(text).toContain(`steps.${step.id}.outputs.count`)
      expect(text).toContain(`steps.${step.id}.outputs.ips`)
    }
  })
})

const readmeBlocks = (): string[] => [...read('README.md').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!)

/** Every text a copy-paste reader takes: the examples, the README's YAML blocks, the repository's workflows. */
const copyable = (): [string, string][] => [
  ...examples.map((f): [string, string] => [f, read(f)]),
  ...readmeBlocks().map((b, i): [string, string] => [`README.md YAML block ${i + 1}`, b]),
  ...yamlFiles('.github/workflows').map((f): [string, string] => [f, read(f)])
]

type Permissions = Record<string, string> | undefined

describe("the README's recipes", () => {
  it('the cleanup in the README spares what DNS points at and what was in use lately', () => {
    const prunes = readmeBlocks()
      .flatMap((b) => stepsOf(asWorkflow(b)))
      .filter((s) => usesThisAction(s.uses) && s.with?.operation === 'prune')
    // The live prune (the example adds the pull requests' dry run).
    expect(prunes.length).toBeGreaterThanOrEqual(1)
    for (const step of prunes) expect(step.with).toMatchObject({ keep_dns: 'true', unassigned_for: '1d' })
    const scopes = Object.fromEntries(tableUnder(read('README.md'), 'Token scopes').map((r) => [r[0], r[2]]))
    expect(scopes['`DIGITALOCEAN_PRUNE_TOKEN`']).toContain('`domain:read`')
    expect(scopes['`DIGITALOCEAN_READ_TOKEN`']).toContain('`domain:read`')
  })

  it('every cutover in the README verifies through the moved addresses', () => {
    const cutovers = readmeBlocks()
      .flatMap((b) => stepsOf(asWorkflow(b)))
      .filter((s) => usesThisAction(s.uses) && s.with?.operation === 'assign' && s.with?.droplet_tag !== undefined)
    expect(cutovers.length).toBeGreaterThanOrEqual(3)
    for (const step of cutovers) {
      expect(step.with).toMatchObject({
        verify_url: expect.stringContaining('{ip}'),
        verify_contains: '${{ github.sha }}'
      })
    }
  })

  it('the dual-stack recipe moves an IPv4 and an IPv6 variable in one step', () => {
    const ips = readmeBlocks()
      .flatMap((b) => stepsOf(asWorkflow(b)))
      .map((s) => String(s.with?.ip ?? ''))
      .filter((ip) => ip.split('\n').filter((l) => l.trim() !== '').length === 2)
    expect(ips).toEqual([expect.stringMatching(/vars\.[A-Z_]*IPV4[\s\S]*vars\.[A-Z_]*IPV6/)])
  })
})

describe("the repository's own workflows", () => {
  const own = yamlFiles('.github/workflows')

  it.each([...examples, ...own])('%s checks out without persisting credentials', (file) => {
    const checkouts = stepsOf(parse(read(file)) as Workflow).filter((s) => s.uses?.startsWith('actions/checkout@'))
    for (const step of checkouts) expect(step.with?.['persist-credentials']).toBe(false)
  })

  it('include a release workflow and CodeQL', () => {
    expect(own).toEqual(expect.arrayContaining(['.github/workflows/release.yml', '.github/workflows/codeql.yml']))
  })

  it('release: on a published release, checks dist/, and only then moves the major tag, the one job that writes', () => {
    const doc = parse(read('.github/workflows/release.yml')) as Workflow & { on: Record<string, { types?: string[] }> }
    expect(doc.on.release?.types).toEqual(['published'])
    const jobs = Object.entries(doc.jobs ?? {})
    const writers = jobs.filter(([, job]) => Object.values((job.permissions as Permissions) ?? {}).includes('write'))
    expect(writers.map(([, job]) => job.permissions)).toEqual([{ contents: 'write' }])
    const [writerName, writer] = writers[0]!
    const checkName = writer.needs as string
    const check = doc.jobs?.[checkName]
    expect(check).toBeDefined()
    const runs = (check?.steps ?? []).map((s) => s.run ?? '').join('\n')
    expect(runs).toMatch(/npm run build/)
    expect(runs).toMatch(/git diff --exit-code[^\n]*dist\//)
    expect(runs).toMatch(/CHANGELOG\.md/)
    // The writing job checks nothing out and runs no project code: it only moves the tag.
    const writerSteps = writer.steps ?? []
    expect(writerSteps.filter((s) => s.uses !== undefined)).toEqual([])
    expect(writerSteps.map((s) => s.run ?? '').join('\n')).toMatch(/git\/refs/)
    expect(writerName).not.toBe(checkName)
  })

  it('CHANGELOG.md is kept: an Unreleased section, and one for the version package.json names', () => {
    const changelog = read('CHANGELOG.md')
    const { version } = JSON.parse(read('package.json')) as { version: string }
    expect(changelog).toMatch(/^## \[Unreleased\]$/m)
    expect(changelog).toMatch(new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\]`, 'm'))
  })

  it('CodeQL: scans the sources and the workflows, with security-events: write in its job only', () => {
    const doc = parse(read('.github/workflows/codeql.yml')) as Workflow
    const [job] = Object.values(doc.jobs ?? {})
    expect(job?.permissions).toMatchObject({ 'security-events': 'write', contents: 'read' })
    expect((job?.strategy as { matrix: { language: string[] } }).matrix.language).toEqual(
      expect.arrayContaining(['javascript-typescript', 'actions'])
    )
    const uses = (job?.steps ?? []).map((s) => s.uses?.replace(/@.*/, ''))
    expect(uses).toEqual(['actions/checkout', 'github/codeql-action/init', 'github/codeql-action/analyze'])
  })
})

describe('examples are safe to copy', () => {
  it.each(copyable())('%s: no run: interpolates a ${{ }} expression', (_where, text) => {
    expect(expressionsInRun(text)).toEqual([])
  })

  it.each([
    ...examples.map((f): [string, string] => [f, read(f)]),
    ...readmeBlocks().map((b, i): [string, string] => [`README.md YAML block ${i + 1}`, b])
  ])('%s pins the action by full commit SHA with the version in a comment', (_where, text) => {
    expect(unpinnedUses(text)).toEqual([])
  })

  it('gives each job its own least-privilege token, under its own secret name', () => {
    const byJob = new Map<string, string>()
    for (const file of examples) {
      for (const [job, secret] of secretsOf(parse(read(file)) as Workflow)) {
        const key = `${file} ${job}`
        expect([key, byJob.get(key) ?? secret]).toEqual([key, secret])
        byJob.set(key, secret)
      }
    }
    const names = [...byJob.values()]
    expect(names.length).toBeGreaterThanOrEqual(3)
    expect(new Set(names).size).toBe(names.length)
    for (const name of names) expect(name).toMatch(/^DIGITALOCEAN_[A-Z]+_TOKEN$/)
  })

  it('uses in the README only the secrets its token table lists, one per job', () => {
    const table = tableUnder(read('README.md'), 'Token scopes').map((row) => row[0]!.replace(/`/g, ''))
    expect(table).toEqual(
      expect.arrayContaining(['DIGITALOCEAN_CUTOVER_TOKEN', 'DIGITALOCEAN_PRUNE_TOKEN', 'DIGITALOCEAN_READ_TOKEN'])
    )
    const used = readmeBlocks().flatMap((b) => secretsOf(asWorkflow(b)).map(([, secret]) => secret))
    expect(used.length).toBeGreaterThan(0)
    for (const secret of used) expect(table).toContain(secret)
  })

  it('never hands a pull request run a token that can change anything', () => {
    for (const [where, text] of [
      ...examples.map((f): [string, string] => [f, read(f)]),
      ...readmeBlocks().map((b, i): [string, string] => [`README block ${i + 1}`, b])
    ]) {
      const doc = asWorkflow(text)
      if (!triggers(doc).includes('pull_request')) continue
      for (const [jobName, job] of Object.entries(doc.jobs ?? {})) {
        const excludesPullRequests = (job.if as string | undefined)?.includes("github.event_name != 'pull_request'")
        if (excludesPullRequests) continue
        for (const step of (job.steps ?? []).filter((s) => usesThisAction(s.uses))) {
          expect([where, jobName, step.with?.token, step.with?.dry_run]).toEqual([
            where,
            jobName,
            '${{ secrets.DIGITALOCEAN_READ_TOKEN }}',
            'true'
          ])
        }
      }
    }
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

  it('accepts outputs of an earlier run: step, which writes its own, but not of a later one', () => {
    const text = `
jobs:
  j:
    outputs:
      major: \${{ steps.tag.outputs.major }}
    steps:
      - run: echo \${{ steps.tag.outputs.major }}
      - id: tag
        run: echo "major=v1" >> "$GITHUB_OUTPUT"
      - run: echo \${{ steps.tag.outputs.major }}
`
    expect(checkWorkflow(text)).toEqual([
      "job j, step 1: steps.tag.outputs.major: no earlier step with id 'tag' in this job runs this action"
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

  it('finds an expression inside a run: step, and none passed through env:', () => {
    const steps = `
- id: ip
  uses: ./
  with:
    operation: get
    ip: \${{ vars.IP }}
- env:
    IP: \${{ steps.ip.outputs.ip }}
  run: echo "$IP"
- name: unsafe
  run: |
    echo ok
    curl "http://\${{ steps.ip.outputs.ip }}/"
`
    expect(expressionsInRun(steps)).toEqual(['job steps, step unsafe: run: has ${{ steps.ip.outputs.ip }}'])
  })

  it('finds a use of the action pinned to a tag, a branch or a short SHA, or without its version comment', () => {
    const sha = 'a'.repeat(40)
    const text = [
      `- uses: your-org/do-reserved-ip-action@${sha} # v1.2.3`,
      '- uses: your-org/do-reserved-ip-action@v1',
      `  uses: your-org/do-reserved-ip-action@${sha}`,
      '  uses: your-org/do-reserved-ip-action@main # v1.2.3',
      '  uses: your-org/do-reserved-ip-action@abc1234 # v1.2.3',
      '- uses: actions/checkout@v7'
    ].join('\n')
    expect(unpinnedUses(text)).toEqual([
      '- uses: your-org/do-reserved-ip-action@v1',
      `uses: your-org/do-reserved-ip-action@${sha}`,
      'uses: your-org/do-reserved-ip-action@main # v1.2.3',
      'uses: your-org/do-reserved-ip-action@abc1234 # v1.2.3'
    ])
  })

  it('reads the token secret of each job, and flags a token that is not a secret', () => {
    const doc = asWorkflow(`
jobs:
  a:
    steps:
      - uses: ./
        with:
          token: \${{ secrets.DIGITALOCEAN_READ_TOKEN }}
  b:
    steps:
      - uses: ./
        with:
          token: dop_v1_plain
`)
    expect(secretsOf(doc)).toEqual([
      ['a', 'DIGITALOCEAN_READ_TOKEN'],
      ['b', '(not a secret: dop_v1_plain)']
    ])
  })
})
