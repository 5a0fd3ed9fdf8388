/**
 * The randomized fault-schedule test: seeded cutover scenarios under faults, each run in-process
 * against a fresh simulator, every outcome checked against the invariants of the contract ("What the
 * step reports is what DigitalOcean shows", "Cutovers", "Behaviour under faults"). See fuzz-support.ts.
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
import {
  actionFeatures,
  checkInvariants,
  describeFailure,
  runCase,
  runFuzz,
  scenarioArb,
  shrink,
  tally,
  storyOf,
  type Scenario
} from './fuzz-support.js'

const env = process.env
const SEED = Number(env.FUZZ_SEED ?? 18_2026)
const RUNS = Number(env.FUZZ_RUNS ?? 300)
const CONCURRENCY = Number(env.FUZZ_CONCURRENCY ?? 16)
const SHRINK_MS = Number(env.FUZZ_SHRINK_MS ?? 4000)

function percentiles(ms: readonly number[]): Record<string, number> {
  const sorted = [...ms].sort((a, b) => a - b)
  const at = (q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0)
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1), sum: Math.round(ms.reduce((a, b) => a + b, 0)) }
}

if (env.FUZZ_CASE || env.FUZZ_INDEX) {
  it('replays one scenario', async () => {
    const scenario = env.FUZZ_CASE
      ? (JSON.parse(env.FUZZ_CASE) as Scenario)
      : fc.sample(scenarioArb, { seed: SEED, numRuns: Number(env.FUZZ_INDEX) + 1 }).pop()!
    const o = await runCase(scenario, await actionFeatures())
    const problems = checkInvariants(o)
    const story = [JSON.stringify(scenario), ...storyOf(o)]
    process.stderr.write(`${story.join('\n')}\n`)
    expect(problems).toEqual([])
  }, 120_000)
} else {
  it(
    `keeps every invariant over ${RUNS} seeded cutovers under faults (seed ${SEED})`,
    async () => {
      const report = await runFuzz({ seed: SEED, runs: RUNS, concurrency: CONCURRENCY })
      let message = ''
      if (report.failures.length > 0) {
        // A case that hangs takes seconds a run: shrink another when there is one.
        const quick = report.failures.find((f) => f.problems.some((p) => !p.text.includes('had not returned')))
        const shrunk = await shrink(SEED, quick ?? report.failures[0]!, report.features, SHRINK_MS)
        message = [
          `${report.failures.length} of ${RUNS} cases broke an invariant (FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}):`,
          ...tally(report),
          describeFailure(SEED, shrunk)
        ].join('\n')
      }
      if (env.FUZZ_REPORT) {
        const figures = {
          seed: SEED,
          runs: RUNS,
          ms: Math.round(report.ms),
          failures: report.failures.length,
          byInvariant: tally(report),
          features: report.features,
          caseMs: percentiles(report.caseMs),
          cancellationsPending: report.cancellationsPending,
          firstFailure: message,
          cases: report.failures.map((f) => ({
            index: f.index,
            problems: f.problems.map((p) => `(${p.invariant}) ${p.text}`),
            scenario: f.scenario,
            story: f.story
          })),
          // The first case that broke each invariant, with what it did.
          examples: Object.fromEntries(
            [...new Set(report.failures.flatMap((f) => f.problems.map((p) => p.invariant)))]
              .sort()
              .map((inv) => [inv, report.failures.find((f) => f.problems.some((p) => p.invariant === inv))])
          )
        }
        writeFileSync(env.FUZZ_REPORT, JSON.stringify(figures, null, 2))
      }
      if (message) throw new Error(message)
      expect(report.failures).toEqual([])
    },
    RUNS * 500 + SHRINK_MS + 60_000
  )
}
