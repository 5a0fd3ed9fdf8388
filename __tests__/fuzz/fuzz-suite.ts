/**
 * The jest test of a fuzz property, as fuzz.test.ts and fuzz-operations.test.ts declare it: a seeded
 * run of many cases, or the replay of one. Environment:
 *
 *   FUZZ_SEED=<n> FUZZ_RUNS=<n>   another seed, more or fewer cases (npm run fuzz: thousands, a fresh seed)
 *   FUZZ_CASE='<scenario JSON>'   replay one scenario (as a failure prints it), with its trace
 *   FUZZ_INDEX=<n>                replay case n of FUZZ_SEED, with its trace
 *   FUZZ_CONCURRENCY=<n>          cases side by side (default 16)
 *   FUZZ_SHRINK_MS=<ms>           time for shrinking the first failure (default 4000)
 *   FUZZ_REPORT=<file>            write the figures there as JSON (scripts/fuzz.js)
 */
import { writeFileSync } from 'node:fs'
import { expect, it } from '@jest/globals'
import fc from 'fast-check'
import { actionFeatures, type AnyScenario } from './fuzz-case.js'
import { describeFailure, storyOf, tally } from './fuzz-report.js'
import { runFuzz, shrink, type Failure, type FuzzProperty, type FuzzReport } from './fuzz-run.js'

const env = process.env

export interface SuiteOptions {
  /** The default seed and number of cases of `npm test`. */
  readonly seed: number
  readonly runs: number
  /**
   * Invariants that the engine under test is known to break: a case that breaks only these is
   * reported on stderr and in the figures, and does not fail the test.
   */
  readonly known?: readonly string[]
}

function percentiles(ms: readonly number[]): Record<string, number> {
  const sorted = [...ms].sort((a, b) => a - b)
  const at = (q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0)
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1), sum: Math.round(ms.reduce((a, b) => a + b, 0)) }
}

export function fuzzSuite<S extends AnyScenario>(property: FuzzProperty<S>, options: SuiteOptions): void {
  const seed = Number(env.FUZZ_SEED ?? options.seed)
  const runs = Number(env.FUZZ_RUNS ?? options.runs)
  if (env.FUZZ_CASE || env.FUZZ_INDEX) {
    it('replays one scenario', async () => {
      const features = await actionFeatures()
      const scenario = env.FUZZ_CASE
        ? (JSON.parse(env.FUZZ_CASE) as S)
        : fc.sample(property.scenarios(features), { seed, numRuns: Number(env.FUZZ_INDEX) + 1 }).pop()!
      const o = await property.run(scenario, features)
      process.stderr.write(`${[JSON.stringify(scenario), ...storyOf(o)].join('\n')}\n`)
      expect(property.check(o)).toEqual([])
    }, 120_000)
    return
  }
  it(
    `keeps every invariant over ${runs} seeded ${property.what} under faults (seed ${seed})`,
    async () => {
      const report = await runFuzz(property, {
        seed,
        runs,
        concurrency: Number(env.FUZZ_CONCURRENCY ?? 16)
      })
      const known = new Set(options.known ?? [])
      const isKnown = (f: Failure<S>): boolean => f.problems.every((p) => known.has(p.invariant))
      const failing = report.failures.filter((f) => !isKnown(f))
      const message = failing.length > 0 ? await explain(property, report, failing, seed) : ''
      const knownOnly = report.failures.length - failing.length
      if (knownOnly > 0)
        process.stderr.write(
          `${knownOnly} of ${runs} cases broke only invariants known to be broken by the engine (${[...known].join(', ')}): ${tally(report).join('; ')}\n`
        )
      if (env.FUZZ_REPORT) writeFileSync(env.FUZZ_REPORT, JSON.stringify(figures(report, message, knownOnly), null, 2))
      if (message) throw new Error(message)
      expect(failing).toEqual([])
    },
    runs * 500 + Number(env.FUZZ_SHRINK_MS ?? 4000) + 60_000
  )
}

async function explain<S extends AnyScenario>(
  property: FuzzProperty<S>,
  report: FuzzReport<S>,
  failing: readonly Failure<S>[],
  seed: number
): Promise<string> {
  // A case that hangs takes seconds a run: shrink another when there is one.
  const quick = failing.find((f) => f.problems.some((p) => !p.text.includes('had not returned')))
  const shrunk = await shrink(property, seed, quick ?? failing[0]!, report.features, Number(env.FUZZ_SHRINK_MS ?? 4000))
  return [
    `${failing.length} of ${report.runs} cases broke an invariant (FUZZ_SEED=${seed} FUZZ_RUNS=${report.runs}):`,
    ...tally(report),
    describeFailure(seed, shrunk, property.file)
  ].join('\n')
}

/** What scripts/fuzz.js prints and writes: the run's figures, every failing case with its trace. */
function figures(report: FuzzReport, firstFailure: string, knownOnly: number): Record<string, unknown> {
  const invariants = [...new Set(report.failures.flatMap((f) => f.problems.map((p) => p.invariant)))].sort()
  return {
    seed: report.seed,
    runs: report.runs,
    byOp: report.byOp,
    ms: Math.round(report.ms),
    failures: report.failures.length,
    knownOnly,
    byInvariant: tally(report),
    features: report.features,
    caseMs: percentiles(report.caseMs),
    cancellationsPending: report.cancellationsPending,
    firstFailure,
    cases: report.failures.map((f) => ({
      index: f.index,
      problems: f.problems.map((p) => `(${p.invariant}) ${p.text}`),
      scenario: f.scenario,
      story: f.story
    })),
    // The first case that broke each invariant, with what it did.
    examples: Object.fromEntries(
      invariants.map((inv) => [inv, report.failures.find((f) => f.problems.some((p) => p.invariant === inv))])
    )
  }
}
