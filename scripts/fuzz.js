// npm run fuzz: the randomized fault-schedule tests with thousands of cases on a fresh seed, over
// every operation: cutovers (__tests__/fuzz/fuzz.test.ts), then create, delete, prune and rollback
// (__tests__/fuzz/fuzz-operations.test.ts); then the figures of each: cases, time, failures by
// invariant, the first counterexample. The same properties as in `npm test`, which runs a few
// hundred cases on fixed seeds.
//
//   node scripts/fuzz.js [--runs N] [--seed N] [--concurrency N] [--shrink-ms N] [--json FILE] [--only WHAT] [--strict]
//     --runs         cases of each (default 3000)
//     --seed         the seed (default: a fresh one, printed so that a run can be repeated)
//     --concurrency  cases side by side (default 16)
//     --shrink-ms    time for shrinking the first failure (default 60000)
//     --json         also write the figures there, every failing case with its trace
//     --only         cutovers or operations
//     --strict       count every invariant even when FUZZ_KNOWN_DEFECTS is set in the environment
// Exits 1 when a case broke an invariant.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const SUITES = {
  cutovers: '__tests__/fuzz/fuzz.test.ts',
  operations: '__tests__/fuzz/fuzz-operations.test.ts'
}
const USAGE =
  'usage: node scripts/fuzz.js [--runs N] [--seed N] [--concurrency N] [--shrink-ms N] [--json FILE] [--only cutovers|operations] [--strict]\n'

function options(argv) {
  const out = { runs: 3000, seed: undefined, concurrency: 16, shrinkMs: 60_000, json: undefined, only: undefined }
  const names = { '--runs': 'runs', '--seed': 'seed', '--concurrency': 'concurrency', '--shrink-ms': 'shrinkMs' }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s)
    if (flag === '--strict') {
      out.strict = true
      continue
    }
    const value = inline ?? argv[++i]
    if (flag === '--json' && value) out.json = value
    else if (flag === '--only' && SUITES[value]) out.only = value
    else if (names[flag] && /^\d+$/.test(value ?? '')) out[names[flag]] = Number(value)
    else {
      process.stderr.write(USAGE)
      process.exit(2)
    }
  }
  out.seed ??= Math.floor(Math.random() * 2 ** 31)
  return out
}

const opts = options(process.argv.slice(2))
const root = fileURLToPath(new URL('..', import.meta.url))

/** Runs one suite's jest file with the run's settings; its figures, or undefined when it wrote none. */
function runSuite(name) {
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-'))
  const report = join(dir, 'report.json')
  process.stderr.write(`Fuzzing ${name}: ${opts.runs} cases, seed ${opts.seed}, ${opts.concurrency} at a time\n`)
  const started = performance.now()
  const jest = spawnSync(
    process.execPath,
    ['--experimental-vm-modules', '--no-warnings', 'node_modules/jest/bin/jest.js', SUITES[name]],
    {
      cwd: root,
      env: {
        ...process.env,
        FUZZ_RUNS: String(opts.runs),
        FUZZ_SEED: String(opts.seed),
        FUZZ_CONCURRENCY: String(opts.concurrency),
        FUZZ_SHRINK_MS: String(opts.shrinkMs),
        FUZZ_REPORT: report,
        ...(opts.strict ? { FUZZ_KNOWN_DEFECTS: '' } : {})
      },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024
    }
  )
  const wallMs = performance.now() - started
  try {
    return { ...JSON.parse(readFileSync(report, 'utf8')), wallMs }
  } catch {
    process.stderr.write(`${jest.stdout}${jest.stderr}\nThe ${name} fuzz wrote no figures (exit ${jest.status}).\n`)
    return undefined
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function describe(name, figures) {
  const ops = Object.entries(figures.byOp ?? {})
    .map(([op, n]) => `${op} ${n}`)
    .join(', ')
  return [
    `${name}`,
    `  cases       ${figures.runs} (seed ${figures.seed}): ${ops}`,
    `  time        ${(figures.ms / 1000).toFixed(1)} s for the cases, ${(figures.wallMs / 1000).toFixed(1)} s in all (jest, shrinking)`,
    `  per case    p50 ${figures.caseMs.p50} ms, p90 ${figures.caseMs.p90} ms, p99 ${figures.caseMs.p99} ms, max ${figures.caseMs.max} ms (${opts.concurrency} at a time)`,
    `  failures    ${figures.failures}${figures.knownOnly ? ` (${figures.knownOnly} of them only known engine defects)` : ''}`,
    ...figures.byInvariant.map((line) => `              ${line}`),
    `  the action  ${figures.features.clock ? 'on the test clock' : 'sped up by timeScale'}; cancellation ${figures.features.signal ? 'tested' : `not tested (no signal option): ${figures.cancellationsPending} cases ran without it`}${name === 'operations' ? `; rollback ${figures.features.rollback ? 'tested' : 'not tested (the action has no operation: rollback)'}` : ''}`
  ].join('\n')
}

const all = {}
let failed = false
for (const name of opts.only ? [opts.only] : Object.keys(SUITES)) {
  const figures = runSuite(name)
  if (!figures) {
    failed = true
    continue
  }
  all[name] = figures
  process.stdout.write(`${describe(name, figures)}\n`)
  if (figures.firstFailure) process.stdout.write(`\n${figures.firstFailure}\n`)
  failed ||= figures.failures > figures.knownOnly
}
if (opts.json) writeFileSync(opts.json, JSON.stringify(all, null, 2))
process.exit(failed ? 1 : 0)
