// Start-up cost of the bundled action: a `get` step against the embedded simulator, beside a
// bare `node -e ""`, run in turns so both see the same machine load. Not a test.
//
//   node scripts/startup.js [--runs N] [entry ...]
//     entry  bundles to run (default dist/index.js); several are run in turns, to compare builds
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { DIST } from './run-action.js'

const argv = process.argv.slice(2)
const runsAt = argv.indexOf('--runs')
const runs = runsAt === -1 ? 30 : Number(argv.splice(runsAt, 2)[1])
const entries = argv.length > 0 ? argv.map((a) => resolve(a)) : [DIST]

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

function timed(args, env) {
  const t0 = performance.now()
  const child = spawnSync(process.execPath, args, { env, encoding: 'utf8' })
  const ms = performance.now() - t0
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${child.stdout}${child.stderr}`)
  return ms
}

// spawnSync blocks this process, so the simulator runs in a child of its own.
const dir = mkdtempSync(join(tmpdir(), 'do-ip-startup-'))
const simScript = join(dir, 'sim.mjs')
writeFileSync(
  simScript,
  `import { startSimulator } from ${JSON.stringify(new URL('../sim/simulator.js', import.meta.url).href)}
const sim = await startSimulator({ validate: false })
const ip = sim.addIp({ version: 4 }).ip
process.stdout.write(JSON.stringify({ url: sim.url, ip }) + '\\n')`
)
const simChild = spawn(process.execPath, [simScript], { stdio: ['ignore', 'pipe', 'inherit'] })
const target = await new Promise((ok) => simChild.stdout.once('data', (d) => ok(JSON.parse(d.toString()))))

const output = join(dir, 'output')
writeFileSync(output, '')
const env = {
  PATH: process.env.PATH ?? '',
  GITHUB_OUTPUT: output,
  RUNNER_TEMP: dir,
  INPUT_TOKEN: 'sim-token',
  INPUT_API_URL: target.url,
  INPUT_OPERATION: 'get',
  INPUT_IP: target.ip
}
const bare = []
const actions = entries.map(() => [])
for (const entry of entries) timed([entry], env) // warm the file cache
for (let i = 0; i < runs; i++) {
  bare.push(timed(['-e', ''], { PATH: env.PATH }))
  entries.forEach((entry, k) => actions[k].push(timed([entry], env)))
}
simChild.kill()
rmSync(dir, { recursive: true, force: true })

const b = median(bare)
console.log(`node ${process.version}, ${runs} runs each in turns, medians`)
console.log(`bare node -e "": ${b.toFixed(1)} ms`)
entries.forEach((entry, k) => {
  const dir = dirname(entry)
  const size = readdirSync(dir)
    .filter((f) => /\.c?js$/.test(f))
    .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0)
  const a = median(actions[k])
  console.log(
    `${entry}: get step ${a.toFixed(1)} ms, ${(a / b).toFixed(2)}x bare (+${(a - b).toFixed(1)} ms), .js files ${(size / 1024).toFixed(0)} KiB`
  )
})
