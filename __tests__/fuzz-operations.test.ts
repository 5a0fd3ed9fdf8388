/**
 * The randomized fault-schedule test of create, delete, prune and rollback (roll-back cases only when
 * the action takes operation: rollback): seeded scenarios under faults, lost answers, pending
 * events, another workflow's changes and cancellation, checked against the invariants of
 * fuzz-op-invariants.ts. Replaying a case and changing the run: see fuzz-suite.ts.
 */
import { operations } from './fuzz-run.js'
import { fuzzSuite } from './fuzz-suite.js'

/**
 * KNOWN_ENGINE_DEFECT: invariants that the engine of this branch breaks today (issue 23: a release
 * re-sent without a read, and so released while another workflow had assigned it; a lost create or
 * release reported changed=false; ips/count '' on a prune that stops early): cases that break only
 * these are reported on stderr and do not fail the test. FUZZ_KNOWN_DEFECTS='' (or another list)
 * overrides it; remove the entries once the engine keeps them.
 */
const KNOWN_ENGINE_DEFECT: readonly string[] = ['a', 'b', 'f', 'j', 'k', 'l']

const known = process.env.FUZZ_KNOWN_DEFECTS?.split(',').filter(Boolean) ?? KNOWN_ENGINE_DEFECT

fuzzSuite(operations, { seed: 23_2026, runs: 200, known })
