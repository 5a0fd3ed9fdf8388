/**
 * The randomized fault-schedule test of cutovers: seeded assign/unassign scenarios under faults, each
 * run in-process against a fresh simulator, every outcome checked against the invariants of the
 * contract ("What the step reports is what DigitalOcean shows", "Cutovers", "Behaviour under
 * faults"). The other operations have theirs in fuzz-operations.test.ts; the environment variables
 * that replay a case or change the run are in fuzz-suite.ts.
 */
import { cutovers } from './fuzz-run.js'
import { fuzzSuite } from './fuzz-suite.js'

fuzzSuite(cutovers, { seed: 18_2026, runs: 300 })
