// npm run demo: plays the two jobs this action exists for against the embedded DigitalOcean
// simulator, with the bundled action run exactly as a runner runs it. No token, no network.
//   1. Blue-green cutover: reserve an IP on blue, cut over to green, roll back.
//   2. Nightly cleanup: prune with a dry run, then for real.
import { startSimulator } from '../sim/simulator.js'
import { runAction } from './run-action.js'

const color = process.stdout.isTTY && !process.env.NO_COLOR
const bold = (s) => (color ? `\x1b[1m${s}\x1b[0m` : s)
const dim = (s) => (color ? `\x1b[2m${s}\x1b[0m` : s)

const sim = await startSimulator({ actionDurationMs: 1500 })
const token = 'sim-token'
const blue = sim.addDroplet({ name: 'web-blue', region: 'nyc3', tags: ['web', 'blue'] })
const green = sim.addDroplet({ name: 'web-green', region: 'nyc3', tags: ['web', 'green'] })
const stale = [sim.addIp({ version: 4, region: 'nyc3' }).ip, sim.addIp({ version: 6, region: 'nyc3' }).ip]
const kept = sim.addIp({ version: 4, region: 'sfo3' }).ip

let failures = 0

/** Runs one step and prints what a user would see in the workflow log and the step summary. */
async function step(title, inputs) {
  console.log(`\n${bold(`▶ ${title}`)}`)
  const shown = Object.entries(inputs)
    .filter(([k]) => k !== 'api_url')
    .map(([k, v]) => `      ${k}: ${v.includes('\n') ? JSON.stringify(v) : v}`)
  console.log(dim(`    with:\n${shown.join('\n')}`))
  const run = await runAction({ token, api_url: sim.url, ...inputs })
  console.log(bold('  log:'))
  for (const line of run.stdout.split('\n')) {
    if (line === '' || line.startsWith('::debug::') || line.startsWith('::add-mask::')) continue
    console.log(`    ${line}`)
  }
  console.log(bold('  outputs:'))
  for (const [k, v] of Object.entries(run.outputs)) {
    if (v !== '' && k !== 'json') console.log(`    ${k} = ${v.length > 160 ? `${v.slice(0, 157)}...` : v}`)
  }
  console.log(bold('  step summary:'))
  for (const line of run.summary.trimEnd().split('\n')) console.log(`    ${line}`)
  console.log(dim(`  (exit code ${run.code}, ${(run.ms / 1000).toFixed(2)} s)`))
  if (run.code !== 0) failures++
  return run.outputs
}

console.log(bold('DigitalOcean reserved IP action: demo against the embedded simulator'))
console.log(
  dim(
    `Simulator at ${sim.url}; droplets ${blue.id} (web-blue) and ${green.id} (web-green) in nyc3; actions take 1.5 s.`
  )
)

console.log(`\n${bold('=== Story 1: a blue-green deploy ===')}`)
const created = await step('Reserve a production IP on the blue droplet', { operation: 'create', droplet_tag: 'blue' })
const ip = created.ip
const cut = await step('Deploy: cut the IP over to the new green droplet', {
  operation: 'assign',
  ip,
  droplet_tag: 'green',
  expected_droplet_id: String(blue.id)
})
await step('Smoke test failed: roll back to previous_droplet_id', {
  operation: 'assign',
  ip,
  droplet_id: cut.previous_droplet_id,
  expected_droplet_id: cut.droplet_id
})

console.log(`\n${bold('=== Story 2: the nightly cleanup ===')}`)
console.log(dim(`Unassigned and billed: ${stale.join(', ')}, and ${kept} (listed in keep).`))
await step('Pull request: prune as a dry run', { operation: 'prune', dry_run: 'true', keep: kept })
await step('Nightly schedule: prune for real', { operation: 'prune', keep: kept })
await step('What is left', { operation: 'list' })

const violations = sim.violations.length
await sim.close()
console.log(
  `\n${bold('Done.')} Every request the action sent was checked against DigitalOcean's OpenAPI description: ${violations === 0 ? 'all fit' : `${violations} did not fit`}.`
)
if (failures > 0 || violations > 0) process.exitCode = 1
