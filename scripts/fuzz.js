// npm run fuzz: the randomized fault-schedule test (__tests__/fuzz.test.ts) with thousands of cases
// and a fresh seed, then its figures: cases, time, failures by invariant, the first counterexample.
// The same property as in `npm test`, which runs a few hundred cases on a fixed seed.
//
//   node scripts/fuzz.js [--runs N] [--seed N] [--concurrency N] [--shrink-ms N] [--json FILE]
//     --runs         cases (default 3000)
//     --seed         the seed (default: a fresh one, printed so that a run can be repeated)
//     --concurrency  cases side by side (default 16)
//     --shrink-ms    time for shrinking the first failure (default 60000)
//     --json         also write the figures there, every failing case with its trace
// Exits 1 when a case broke an invariant.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

function options(argv) {
  const out = { runs: 3000, seed: undefined, concurrency: 16, shrinkMs: 60_000, json: undefined }
  const names = { '--runs': 'runs', '--seed': 'seed', '--concurrency': 'concurrency', '--shrink-ms': 'shrinkMs' }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s)
    const value = inline ?? argv[++i]
    if (flag === '--json' && value) out.json = value
    else if (names[flag] && /^\d+$/.test(value ?? '')) out[names[flag]] = Number(value)
    else {
      process.stderr.write(
        `usage: node scripts/fuzz.js [--runs N] [--seed N] [--concurrency N] [--shrink-ms N] [--json FILE]\n`
      )
      process.exit(2)
    }
  }
  out.seed ??= Math.floor(Math.random() * 2 ** 31)
  return out
}

const opts = options(process.argv.slice(2))
const root = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'fuzz-'))
const report = join(dir, 'report.json')
process.stderr.write(`Fuzzing: ${opts.runs} cases, seed ${opts.seed}, ${opts.concurrency} at a time\n`)
const started = performance.now()
const jest = spawnSync(
  process.execPath,
  ['--experimental-vm-modules', '--no-warnings', 'node_modules/jest/bin/jest.js', '__tests__/fuzz.test.ts'],
  {
    cwd: root,
    env: {
      ...process.env,
      FUZZ_RUNS: String(opts.runs),
      FUZZ_SEED: String(opts.seed),
      FUZZ_CONCURRENCY: String(opts.concurrency),
      FUZZ_SHRINK_MS: String(opts.shrinkMs),
      FUZZ_REPORT: report
    },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024
  }
)
const wallMs = performance.now() - started
let figures
try {
  figures = JSON.parse(readFileSync(report, 'utf8'))
} catch {
  process.stderr.write(`${jest.stdout}${jest.stderr}\nThe fuzz test wrote no figures (exit ${jest.status}).\n`)
  process.exit(1)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
if (opts.json) writeFileSync(opts.json, JSON.stringify(figures, null, 2))

const lines = [
  `cases       ${figures.runs} (seed ${figures.seed})`,
  `time        ${(figures.ms / 1000).toFixed(1)} s for the cases, ${(wallMs / 1000).toFixed(1)} s in all (jest, shrinking)`,
  `per case    p50 ${figures.caseMs.p50} ms, p90 ${figures.caseMs.p90} ms, p99 ${figures.caseMs.p99} ms, max ${figures.caseMs.max} ms (${opts.concurrency} at a time)`,
  `failures    ${figures.failures}`,
  ...figures.byInvariant.map((line) => `            ${line}`),
  `the action  ${figures.features.clock ? 'on the test clock' : 'sped up by timeScale'}; cancellation ${figures.features.signal ? 'tested' : `not tested (no signal option): ${figures.cancellationsPending} cases ran without it`}`
]
process.stdout.write(`${lines.join('\n')}\n`)
if (figures.firstFailure) process.stdout.write(`\n${figures.firstFailure}\n`)
process.exit(figures.failures > 0 ? 1 : 0)
