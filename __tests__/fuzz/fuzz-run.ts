/**
 * Running many cases: a property (scenarios, how one runs, its invariants), a seeded run of many
 * cases side by side, and the shrinking of a failure. The cutovers' property and the other
 * operations' are the same machinery with their own scenarios and invariants.
 */
import fc from 'fast-check'
import {
  actionFeatures,
  runCase,
  runOpCase,
  type ActionFeatures,
  type AnyScenario,
  type Observation
} from './fuzz-case.js'
import { checkInvariants, type Problem } from './fuzz-invariants.js'
import { checkOpInvariants } from './fuzz-op-invariants.js'
import { opScenarioArb, OPS, type OpScenario } from './fuzz-op-scenarios.js'
import { scenarioArb, type Scenario } from './fuzz-scenarios.js'
import { storyOf } from './fuzz-report.js'

export interface FuzzProperty<S extends AnyScenario> {
  /** What its cases are, for the test's title: 'cutovers', 'creates, deletes, prunes and roll-backs'. */
  readonly what: string
  /** Its test file, for the replay line of a failure. */
  readonly file: string
  scenarios(features: ActionFeatures): fc.Arbitrary<S>
  run(s: S, features: ActionFeatures): Promise<Observation<S>>
  check(o: Observation<S>): Problem[]
}

export const cutovers: FuzzProperty<Scenario> = {
  what: 'cutovers',
  file: '__tests__/fuzz/fuzz.test.ts',
  scenarios: () => scenarioArb,
  run: runCase,
  check: checkInvariants
}

/** Roll-back cases run only when the action under test takes operation: rollback. */
export const operations: FuzzProperty<OpScenario> = {
  what: 'creates, deletes, prunes and roll-backs',
  file: '__tests__/fuzz/fuzz-operations.test.ts',
  scenarios: (features) => opScenarioArb(OPS.filter((op) => op !== 'rollback' || features.rollback)),
  run: runOpCase,
  check: checkOpInvariants
}

export interface Failure<S extends AnyScenario = AnyScenario> {
  readonly index: number
  readonly scenario: S
  readonly problems: readonly Problem[]
  /** What the case did: its trace (as trace() gives it), outputs, error and log. */
  readonly story?: readonly string[]
}

export interface FuzzReport<S extends AnyScenario = AnyScenario> {
  readonly seed: number
  readonly runs: number
  readonly ms: number
  readonly features: ActionFeatures
  readonly failures: readonly Failure<S>[]
  /** Real ms each case took, by index (cases run side by side, so their sum exceeds ms). */
  readonly caseMs: readonly number[]
  /** Cases whose cancellation was not applied (the action takes no signal). */
  readonly cancellationsPending: number
  /** Cases by operation. */
  readonly byOp: Record<string, number>
}

export interface FuzzOptions {
  readonly seed: number
  readonly runs: number
  /** Cases run side by side (most of a case is waiting). */
  readonly concurrency: number
  readonly features?: ActionFeatures
}

export async function runFuzz<S extends AnyScenario>(
  property: FuzzProperty<S>,
  options: FuzzOptions
): Promise<FuzzReport<S>> {
  const started = performance.now()
  const features = options.features ?? (await actionFeatures())
  const scenarios = fc.sample(property.scenarios(features), { seed: options.seed, numRuns: options.runs })
  const failures: Failure<S>[] = []
  const caseMs: number[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    for (let index = next++; index < scenarios.length; index = next++) {
      const scenario = scenarios[index]!
      const t0 = performance.now()
      const { problems, story } = await property.run(scenario, features).then(
        (o) => ({ problems: property.check(o), story: storyOf(o) }),
        (error: Error) => ({
          problems: [{ invariant: 'harness', text: `the case could not run: ${error.stack ?? error.message}` }],
          story: []
        })
      )
      if (problems.length > 0) failures.push({ index, scenario, problems, story })
      caseMs[index] = performance.now() - t0
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker))
  failures.sort((a, b) => a.index - b.index)
  const byOp: Record<string, number> = {}
  for (const s of scenarios) byOp[s.op] = (byOp[s.op] ?? 0) + 1
  return {
    seed: options.seed,
    runs: options.runs,
    ms: performance.now() - started,
    features,
    failures,
    caseMs,
    cancellationsPending: features.signal ? 0 : scenarios.filter((s) => s.cancelAt !== undefined).length,
    byOp
  }
}

export interface Shrunk<S extends AnyScenario = AnyScenario> {
  readonly scenario: S
  readonly problems: readonly Problem[]
  readonly path: string
  readonly shrinks: number
  readonly observation?: Observation<S>
}

/**
 * Replays failing case `index` of the seed with fast-check and shrinks it (for at most `ms`),
 * keeping to scenarios that break the same invariant. Timing can make a shrink step pass that
 * would fail another time: the result is a counterexample, not always the smallest.
 */
export async function shrink<S extends AnyScenario>(
  property: FuzzProperty<S>,
  seed: number,
  failure: Failure<S>,
  features: ActionFeatures,
  ms: number
): Promise<Shrunk<S>> {
  const invariant = failure.problems[0]!.invariant
  let last: Observation<S> | undefined
  const check = fc.asyncProperty(property.scenarios(features), async (s) => {
    const o = await property.run(s, features)
    const broken = property.check(o).some((p) => p.invariant === invariant)
    if (broken) last = o
    return !broken
  })
  const out = await fc.check(check, { seed, path: String(failure.index), interruptAfterTimeLimit: ms })
  const scenario = out.counterexample?.[0] ?? failure.scenario
  const observation = last && JSON.stringify(last.scenario) === JSON.stringify(scenario) ? last : undefined
  return {
    scenario,
    problems: observation ? property.check(observation) : failure.problems,
    path: out.counterexamplePath ?? String(failure.index),
    shrinks: out.numShrinks,
    observation
  }
}
