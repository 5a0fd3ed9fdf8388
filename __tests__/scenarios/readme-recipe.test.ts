/**
 * The README's own blue-green recipe and examples/blue-green-deploy.yml, run as a runner runs their
 * steps: the workflow is read from the README and the example (parsed YAML, not a copy), each step's
 * `if:` and `${{ }}` expressions are evaluated as GitHub evaluates them, the action's steps run
 * in-process (src/, as the scenario tests run it) against the simulator, and a later step fails or the
 * cutover is cancelled. Then every production address must be home: on the droplet it was on before.
 *
 * The roll-back step is `operation: rollback` with the cutover's `moves` (the contract). These
 * scenarios run only when src/ knows that operation; until then they are skipped, and the checks of
 * the recipe's shape and of the expression reader still run.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { scaledClock, startSimulator, type ScaledClock, type Simulator } from '../../sim/simulator.js'
import { parseInputs } from '../../src/inputs/inputs.js'
import { runOperation } from '../../src/run.js'
import { TIME_SCALE, TOKEN } from '../helpers/support.js'
import { knowsRollback } from '../helpers/operation-probe.js'
import type { Step } from '../helpers/workflow.js'

type Value = string | boolean | number | null | { [key: string]: Value }

/** A step that runs this action, pinned as the README teaches. */
const usesThisAction = (uses: string | undefined): boolean => /\/do-reserved-ip-action@[0-9a-f]{40}$/.test(uses ?? '')

// ---------------------------------------------------------------- GitHub's expressions, as far as the recipes use them

/** Reads one expression: paths, 'strings', numbers, ==, !=, !, &&, || and the status functions. */
export function evaluate(expression: string, context: { [key: string]: Value }, status: JobStatus): Value {
  const tokens = [...expression.matchAll(/\s*(\|\||&&|==|!=|!|\(|\)|'(?:[^']|'')*'|[A-Za-z_][\w.-]*(?:\(\))?|\d+)/gy)]
  if (
    tokens
      .map((t) => t[0])
      .join('')
      .trim() !== expression.trim()
  )
    throw new Error(`cannot read '${expression}'`)
  let at = 0
  const peek = (): string | undefined => tokens[at]?.[1]
  const next = (): string => tokens[at++]![1]!
  const truthy = (v: Value): boolean => v !== '' && v !== null && v !== false && v !== 0
  const primary = (): Value => {
    const t = next()
    if (t === '(') {
      const v = or()
      next()
      return v
    }
    if (t === '!') return !truthy(primary())
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'")
    if (/^\d+$/.test(t)) return Number(t)
    if (t.endsWith('()')) return status[t.slice(0, -2) as keyof JobStatus]()
    return t
      .split('.')
      .reduce<Value>((v, key) => (v !== null && typeof v === 'object' ? (v[key] ?? null) : null), context)
  }
  const compare = (): Value => {
    const left = primary()
    if (peek() !== '==' && peek() !== '!=') return left
    const op = next()
    const equal = asText(left) === asText(primary())
    return op === '==' ? equal : !equal
  }
  const and = (): Value => {
    let v = compare()
    while (peek() === '&&') {
      next()
      const right = compare()
      v = truthy(v) ? right : v
    }
    return v
  }
  const or = (): Value => {
    let v = and()
    while (peek() === '||') {
      next()
      const right = and()
      v = truthy(v) ? v : right
    }
    return v
  }
  const value = or()
  if (at !== tokens.length) throw new Error(`cannot read '${expression}'`)
  return value
}

interface JobStatus {
  success(): boolean
  failure(): boolean
  cancelled(): boolean
  always(): boolean
}

const asText = (v: Value): string => (v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v))

/** A `with:` value with each `${{ }}` replaced. */
const interpolate = (text: string, context: { [key: string]: Value }, status: JobStatus): string =>
  text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, e: string) => asText(evaluate(e, context, status)))

/** Whether a step runs: its `if:`, with GitHub's implicit success() when it names no status function. */
function runs(step: Step, context: { [key: string]: Value }, status: JobStatus): boolean {
  const raw = (step.if ?? '').trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
  if (raw === '') return status.success()
  const condition = /\b(success|failure|cancelled|always)\(\)/.test(raw) ? raw : `success() && (${raw})`
  const v = evaluate(condition, context, status)
  return v !== '' && v !== null && v !== false && v !== 0
}

// ---------------------------------------------------------------- the workflows, as the reader copies them

const readme = readFileSync('README.md', 'utf8')

/** The first YAML block after a heading of the README. */
function readmeBlock(heading: string): string {
  const at = readme.indexOf(`\n### ${heading}`)
  if (at === -1) throw new Error(`README.md has no '### ${heading}'`)
  return /```yaml\n([\s\S]*?)```/.exec(readme.slice(at))![1]!
}

const stepsOfJob = (text: string): Step[] =>
  Object.values((parse(text) as { jobs: Record<string, { steps: Step[] }> }).jobs)[0]!.steps

const readmeRecipe = (): Step[] => stepsOfJob(readmeBlock('Prechecked blue-green cutover'))
const example = (): Step[] => stepsOfJob(readFileSync('examples/blue-green-deploy.yml', 'utf8'))

/** The README's recipe with the cutover step of its dual-stack recipe in place of its own. */
function readmeDualStack(): Step[] {
  const dual = (parse(readmeBlock('Dual-stack')) as Step[]).find((s) => s.id === 'cutover')!
  const steps = readmeRecipe()
  const own = steps.find((s) => s.id === 'cutover')!
  // The dual-stack block shows the addresses, the target and the probes; the guard stays the recipe's.
  return steps.map((s) =>
    s === own ? { ...dual, with: { ...dual.with, expected_droplet_id: own.with?.expected_droplet_id } } : s
  )
}

// ---------------------------------------------------------------- the action, in-process

const quiet = { info: () => undefined, warning: () => undefined, debug: () => undefined }

interface StepRun {
  outcome: 'success' | 'failure' | 'cancelled' | 'skipped'
  outputs: Record<string, string>
  error?: string
}

async function runStep(values: Record<string, string>, signal?: AbortSignal): Promise<StepRun> {
  let inputs
  try {
    inputs = parseInputs((name) => values[name] ?? '', {})
  } catch (error) {
    return { outcome: 'failure', outputs: {}, error: (error as Error).message }
  }
  // The step's clock is the simulator's: every duration of the recipe (verify_for: '30') and of
  // DigitalOcean's runs TIME_SCALE times faster.
  const result = await runOperation(inputs, { log: quiet, userAgent: 'test', clock, signal })
  const outputs = result.outputs as unknown as Record<string, string>
  if (signal?.aborted) return { outcome: 'cancelled', outputs, error: result.error }
  return { outcome: result.error === undefined ? 'success' : 'failure', outputs, error: result.error }
}

// ---------------------------------------------------------------- the job, step by step

const SHA = '5e1f2c0ffee5e1f2c0ffee5e1f2c0ffee5e1f2c0'

interface Job {
  readonly steps: Record<string, StepRun>
  /** Names (id or name) of the steps that ran, in order. */
  readonly ran: string[]
  readonly cancelled: boolean
}

interface Play {
  /** Called before each of the action's steps runs, with the step and the values it gets. */
  beforeStep?: (step: Step, values: Record<string, string>) => void
  /** Cancels the run while the cutover is under way: the signal is aborted when this is called. */
  cancelCutover?: (abort: () => void) => void
  /** false: the step after the cutover succeeds too. */
  laterStepFails?: boolean
}

/**
 * Plays a job's steps in order: checkout and the deploy's own scripts pass, the first `run:` step after
 * the cutover fails (unless told otherwise), and the action's steps run against the simulator.
 */
async function play(steps: Step[], context: { [key: string]: Value }, options: Play = {}): Promise<Job> {
  const results: Record<string, StepRun> = {}
  const ran: string[] = []
  let failed = false
  let cancelled = false
  const status: JobStatus = {
    success: () => !failed && !cancelled,
    failure: () => failed,
    cancelled: () => cancelled,
    always: () => true
  }
  const cutoverAt = steps.findIndex((s) => s.id === 'cutover')
  const failingAt = steps.findIndex((s, i) => i > cutoverAt && s.run !== undefined)
  for (const [index, step] of steps.entries()) {
    const name = step.id ?? step.name ?? `step ${index + 1}`
    const ctx = { ...context, steps: results as unknown as Value }
    if (!runs(step, ctx, status)) {
      if (step.id) results[step.id] = { outcome: 'skipped', outputs: {} }
      continue
    }
    ran.push(name)
    let run: StepRun
    if (usesThisAction(step.uses)) {
      const values = Object.fromEntries(
        Object.entries(step.with ?? {}).map(([key, v]) => [key, interpolate(String(v), ctx, status)])
      )
      options.beforeStep?.(step, values)
      const controller = new AbortController()
      if (step.id === 'cutover') options.cancelCutover?.(() => controller.abort('SIGTERM'))
      run = await runStep(values, controller.signal)
    } else {
      const fails = index === failingAt && options.laterStepFails !== false
      run = { outcome: fails ? 'failure' : 'success', outputs: {} }
    }
    if (run.outcome === 'failure') failed = true
    if (run.outcome === 'cancelled') cancelled = true
    if (step.id) results[step.id] = run
    results[name] ??= run
  }
  return { steps: results, ran, cancelled }
}

// ---------------------------------------------------------------- what the recipes look like, whatever src/ knows

describe('the roll-back the README and the example teach', () => {
  it.each([
    ['README.md', readmeRecipe],
    ['examples/blue-green-deploy.yml', example]
  ])('%s: one step, on failure or cancellation, taking the cutover moves', (_, steps) => {
    const all = steps()
    const cutoverAt = all.findIndex((s) => s.id === 'cutover')
    const rollbacks = all.filter((s) => usesThisAction(s.uses) && s.with?.operation === 'rollback')
    expect(rollbacks).toHaveLength(1)
    const rollback = rollbacks[0]!
    expect(all.indexOf(rollback)).toBeGreaterThan(cutoverAt + 1)
    expect(rollback.if).toBe('failure() || cancelled()')
    expect(rollback.with).toEqual({
      token: all[cutoverAt]!.with?.token,
      operation: 'rollback',
      moves: '${{ steps.cutover.outputs.moves }}'
    })
    // Nothing else of the action moves an address back.
    expect(all.filter((s) => usesThisAction(s.uses) && s.with?.operation === 'assign')).toHaveLength(1)
  })
})

describe("the expression reader these tests run the workflows with, as GitHub's", () => {
  const ok: JobStatus = { success: () => true, failure: () => false, cancelled: () => false, always: () => true }
  const failed: JobStatus = { ...ok, success: () => false, failure: () => true }
  const cancelled: JobStatus = { ...ok, success: () => false, cancelled: () => true }
  const context = { steps: { before: { outputs: { droplet_id: '' } }, cutover: { outcome: 'skipped' } } }

  it('reads || as the first truthy value, and the status functions', () => {
    expect(interpolate("${{ steps.before.outputs.droplet_id || 'none' }}", context, ok)).toBe('none')
    expect(interpolate("${{ steps.missing.outputs.moves || 'x' }}", context, ok)).toBe('x')
    expect(runs({ if: 'failure() || cancelled()' }, context, ok)).toBe(false)
    expect(runs({ if: 'failure() || cancelled()' }, context, failed)).toBe(true)
    expect(runs({ if: 'failure() || cancelled()' }, context, cancelled)).toBe(true)
    expect(runs({}, context, failed)).toBe(false)
    expect(runs({ if: "always() && steps.cutover.outcome != 'skipped'" }, context, failed)).toBe(false)
    expect(runs({ if: "steps.cutover.outcome == 'skipped'" }, context, failed)).toBe(false)
    expect(() => evaluate('failure() ||| x', context, ok)).toThrow(/cannot read/)
  })
})

// ---------------------------------------------------------------- the recipes against the simulator

const scenarios = knowsRollback() ? describe : describe.skip

let sim: Simulator
let clock: ScaledClock
let blue: number
let green: number
let red: number

/** The recipe's variables: a production IPv4 and IPv6 on blue. */
function production(): { [key: string]: Value } {
  const v4 = sim.addIp({ version: 4, dropletId: blue }).ip
  const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue }).ip
  return {
    secrets: { DIGITALOCEAN_CUTOVER_TOKEN: TOKEN },
    vars: { PRODUCTION_IP: v4, PRODUCTION_IPV4: v4, PRODUCTION_IPV6: v6, PRODUCTION_HOST: 'www.example.com' },
    github: { sha: SHA }
  }
}

/**
 * Points the recipe's probes at the simulator's droplets' web service (the address stays in the URL,
 * as `{ip}`), and the action at the simulator's API: the only changes made to what the reader copies.
 */
function toSimulator(_: Step, values: Record<string, string>): void {
  values.api_url = sim.url
  for (const key of ['precheck_url', 'verify_url']) {
    if (values[key]) values[key] = values[key]!.replace(/^https?:\/\/\{ip\}\//, `${sim.serviceUrl}/{ip}/`)
  }
}

const addresses = (context: { [key: string]: Value }, pair: boolean): string[] => {
  const vars = context.vars as Record<string, string>
  return pair ? [vars.PRODUCTION_IPV4!, vars.PRODUCTION_IPV6!] : [vars.PRODUCTION_IP!]
}
const holders = (ips: string[]): (number | null | undefined)[] => ips.map((ip) => sim.getIp(ip)?.dropletId)

describe('the recipe run against the simulator', () => {
  beforeEach(async () => {
    clock = scaledClock(TIME_SCALE)
    sim = await startSimulator({ clock, actionDurationMs: 2000, routingDelayMs: 500 })
    blue = sim.addDroplet({ name: 'web-blue', region: 'nyc3', tags: ['blue'], service: { build: 'old-build' } }).id
    green = sim.addDroplet({ name: 'web-green', region: 'nyc3', tags: ['green'], service: { build: SHA } }).id
    red = sim.addDroplet({ name: 'web-red', region: 'nyc3', service: { build: 'other-deploy' } }).id
  })

  afterEach(async () => {
    expect(sim.violations).toEqual([])
    await sim.close()
  })

  it("README's recipe: nothing fails, the roll-back step does not run and the address stays on green", async () => {
    const context = production()
    const ips = addresses(context, false)
    const job = await play(readmeRecipe(), context, { beforeStep: toSimulator, laterStepFails: false })
    // Checkout, the read, the deploy script, the prechecked and verified cutover, the later script.
    expect(job.ran).toEqual(['step 1', 'before', 'step 3', 'cutover', 'step 5'])
    expect(job.steps.cutover).toMatchObject({ outcome: 'success', outputs: { verified: 'true', changed: 'true' } })
    expect(sim.probeRequests({ ip: ips[0]! }).length).toBeGreaterThan(0)
    expect(holders(ips)).toEqual([green])
  })

  scenarios('a later step fails: every address goes home', () => {
    it.each([
      ["README's recipe, one address", readmeRecipe, false],
      ["README's recipe with its dual-stack cutover", readmeDualStack, true],
      ['examples/blue-green-deploy.yml, a dual-stack pair', example, true]
    ])('%s', async (_, steps, pair) => {
      const context = production()
      const ips = addresses(context, pair)
      const job = await play(steps(), context, { beforeStep: toSimulator })
      // The cutover moved every address to green and verified it; the step after it failed.
      expect(job.steps.cutover).toMatchObject({ outcome: 'success', outputs: { verified: 'true', changed: 'true' } })
      const moves = JSON.parse(job.steps.cutover!.outputs.moves!) as {
        ip: string
        from: number | null
        to: number | null
      }[]
      expect(moves.map((m) => [m.from, m.to])).toEqual(ips.map(() => [blue, green]))
      expect(moves.map((m) => m.ip).sort()).toEqual([...ips].sort())
      // The roll-back step ran, and put every address back on blue.
      const rollback = job.ran.find((n) => /roll/i.test(n))!
      expect(job.steps[rollback]).toMatchObject({
        outcome: 'success',
        outputs: { rolled_back: 'true', changed: 'true' }
      })
      expect(holders(ips)).toEqual(ips.map(() => blue))
    })

    it("README's recipe: the roll-back run twice changes nothing the second time", async () => {
      const context = production()
      const ips = addresses(context, false)
      const job = await play(readmeRecipe(), context, { beforeStep: toSimulator })
      const rollback = readmeRecipe().find((s) => s.with?.operation === 'rollback')!
      const again = await runStep({
        token: TOKEN,
        api_url: sim.url,
        operation: 'rollback',
        moves: job.steps.cutover!.outputs.moves!
      })
      expect(rollback.with?.moves).toBe('${{ steps.cutover.outputs.moves }}')
      expect(again).toMatchObject({ outcome: 'success', outputs: { changed: 'false', rolled_back: 'true' } })
      expect(holders(ips)).toEqual([blue])
    })

    it("README's recipe: another workflow moved the address in between, so it stays there and the roll-back fails naming it", async () => {
      const context = production()
      const ips = addresses(context, false)
      const job = await play(readmeRecipe(), context, {
        beforeStep: (step, values) => {
          toSimulator(step, values)
          if (values.operation === 'rollback') sim.assignNow(ips[0]!, red)
        }
      })
      const rollback = job.ran.find((n) => /roll/i.test(n))!
      expect(job.steps[rollback]!.outcome).toBe('failure')
      expect(job.steps[rollback]!.error).toMatch(new RegExp(`${red}`))
      expect(job.steps[rollback]!.outputs.rolled_back).toBe('false')
      expect(holders(ips)).toEqual([red])
    })
  })

  scenarios('the cutover is cancelled: every address goes home', () => {
    it.each([
      ["README's recipe, one address", readmeRecipe, false],
      ['examples/blue-green-deploy.yml, a dual-stack pair', example, true]
    ])('%s', async (_, steps, pair) => {
      const context = production()
      const ips = addresses(context, pair)
      // The actions take long enough that the roll-back must wait for the cutover's to end.
      sim.setActionDuration(6000)
      const job = await play(steps(), context, {
        beforeStep: toSimulator,
        // Cancelled while the step waits for DigitalOcean: at its first poll of an action.
        cancelCutover: (abort) => {
          let armed = true
          sim.onRequest((request) => {
            if (armed && request.method === 'GET' && /^\/v2\/actions\/\d+$/.test(request.path)) {
              armed = false
              abort()
            }
          })
        }
      })
      expect(job.cancelled).toBe(true)
      expect(job.steps.cutover!.outcome).toBe('cancelled')
      const moves = JSON.parse(job.steps.cutover!.outputs.moves!) as { ip: string }[]
      expect(moves.length).toBeGreaterThan(0)
      const rollback = job.ran.find((n) => /roll/i.test(n))!
      expect(job.steps[rollback]).toMatchObject({ outcome: 'success', outputs: { rolled_back: 'true' } })
      // Whatever the cancelled cutover had started has ended, and every address is on blue.
      expect(sim.actions().filter((a) => a.status === 'in-progress')).toEqual([])
      expect(holders(ips)).toEqual(ips.map(() => blue))
    })
  })
})
