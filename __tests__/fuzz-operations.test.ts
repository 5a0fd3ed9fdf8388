/**
 * The randomized fault-schedule test of create, delete, prune and rollback (roll-back cases only when
 * the action takes operation: rollback): seeded scenarios under faults, lost answers, pending
 * events, another workflow's changes and cancellation, checked against the invariants of
 * fuzz-op-invariants.ts. Replaying a case and changing the run: see fuzz-suite.ts.
 */
import { operations } from './fuzz-run.js'
import { fuzzSuite } from './fuzz-suite.js'

/**
 * KNOWN_ENGINE_DEFECT: invariants that the engine of this branch breaks today (issue 23): cases that
 * break only these are reported and do not fail the test. FUZZ_KNOWN_DEFECTS='' (or another list)
 * overrides it; empty the list once the engine keeps them.
 */
const KNOWN_ENGINE_DEFECT: readonly string[] = []

const known = process.env.FUZZ_KNOWN_DEFECTS?.split(',').filter(Boolean) ?? KNOWN_ENGINE_DEFECT

fuzzSuite(operations, { seed: 23_2026, runs: 150, known })
