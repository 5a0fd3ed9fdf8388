// npm run demo: plays the two jobs this action exists for against the embedded DigitalOcean
// simulator, with the bundled action run exactly as a runner runs it. No token, no network.
//   1. Blue-green deploys of a dual-stack service: reserve an IPv4 and an IPv6 on blue, cut both over
//      to green in one prechecked and verified step; then a deploy whose new droplet fails its health
//      check, refused by the precheck before anything moves; then one whose droplet is healthy but has
//      not configured the reserved IPv6, which only verification after the move sees: rolled back;
//      then one that passes but whose later step fails: the roll-back step undoes it with the
//      cutover's moves output, and run again changes nothing.
//   2. Nightly cleanup: prune with a dry run, then for real, sparing what DNS points at and what was
//      in use until a few minutes ago.
import { startSimulator } from '../sim/simulator.js'
import { runAction } from './run-action.js'

const color = process.stdout.isTTY && !process.env.NO_COLOR
const bold = (s) => (color ? `\x1b[1m${s}\x1b[0m` : s)
const dim = (s) => (color ? `\x1b[2m${s}\x1b[0m` : s)

const sim = await startSimulator({ actionDurationMs: 1500, routingDelayMs: 500 })
const token = 'sim-token'
const blue = sim.addDroplet({ name: 'web-blue', region: 'nyc3', tags: ['web', 'blue'], service: { build: 'v1.4.0' } })
const green = sim.addDroplet({
  name: 'web-green',
  region: 'nyc3',
  tags: ['web', 'green'],
  service: { build: 'v1.5.0' }
})
const canary = sim.addDroplet({
  name: 'web-canary',
  region: 'nyc3',
  tags: ['web', 'canary'],
  service: { build: 'v1.6.0', healthy: false }
})
const fresh = sim.addDroplet({
  name: 'web-fresh',
  region: 'nyc3',
  tags: ['web', 'fresh'],
  service: { build: 'v1.6.1', ipv6Configured: false }
})
const next = sim.addDroplet({ name: 'web-next', region: 'nyc3', tags: ['web', 'next'], service: { build: 'v1.7.0' } })
const daysAgo = (d) => Date.now() - d * 86_400_000
const stale = [
  sim.addIp({ version: 4, region: 'nyc3', history: [{ type: 'unassign_ip', completedAt: daysAgo(3) }] }).ip,
  sim.addIp({ version: 6, region: 'nyc3', reservedAt: daysAgo(9) }).ip
]
const kept = sim.addIp({ version: 4, region: 'sfo3' }).ip
// A production address that a maintenance window left unassigned a few minutes ago, and the
// address that the status page's DNS record still points at.
const resting = sim.addIp({
  version: 4,
  region: 'nyc3',
  history: [{ type: 'unassign_ip', completedAt: daysAgo(0.004) }]
}).ip
const named = sim.addIp({ version: 4, region: 'nyc3', history: [{ type: 'unassign_ip', completedAt: daysAgo(5) }] }).ip
sim.addDomain('example.com')
sim.addRecord('example.com', { type: 'A', name: 'status', data: named })

let failures = 0

/** Runs one step and prints what a user would see in the workflow log and the step summary. */
async function step(title, inputs, expectFailure = false) {
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
  if ((run.code !== 0) !== expectFailure) failures++
  return run.outputs
}

console.log(bold('DigitalOcean reserved IP action: demo against the embedded simulator'))
console.log(
  dim(
    `Simulator at ${sim.url}; droplets ${blue.id} (web-blue) and ${green.id} (web-green) in nyc3; actions take 1.5 s.`
  )
)

console.log(`\n${bold('=== Story 1: blue-green deploys of a dual-stack service ===')}`)
const v4 = (await step('Reserve the production IPv4 on the blue droplet', { operation: 'create', droplet_tag: 'blue' }))
  .ip
const v6 = (
  await step('Reserve the production IPv6 and assign it to blue', {
    operation: 'create',
    ip_version: '6',
    droplet_tag: 'blue'
  })
).ip
const verify = { precheck_url: sim.verifyUrl, verify_url: sim.verifyUrl, verify_timeout: '30' }
await step('Deploy v1.5.0: precheck green on its own addresses, cut both addresses over, verify through them', {
  operation: 'assign',
  ip: `${v4}\n${v6}`,
  droplet_tag: 'green',
  expected_droplet_id: String(blue.id),
  ...verify,
  verify_contains: 'v1.5.0'
})
const where = (id, name) => (sim.getIp(v4)?.dropletId === id && sim.getIp(v6)?.dropletId === id ? name : 'elsewhere')
console.log(dim('\nThe canary droplet runs v1.6.0, whose health check answers 503.'))
await step(
  'Deploy v1.6.0 to the canary: the precheck sees the 503 on its own address and nothing moves',
  {
    operation: 'assign',
    ip: `${v4}\n${v6}`,
    droplet_tag: 'canary',
    expected_droplet_id: String(green.id),
    ...verify,
    verify_timeout: '5',
    verify_contains: 'v1.6.0'
  },
  true
)
console.log(dim(`Production never left green: both addresses are on ${where(green.id, 'green')}.`))
console.log(dim('\nweb-fresh runs v1.6.1, healthy, but has not added the reserved IPv6 to its network interface.'))
await step(
  'Deploy v1.6.1: the precheck passes, verification of the IPv6 gets no answer, both move back',
  {
    operation: 'assign',
    ip: `${v4}\n${v6}`,
    droplet_tag: 'fresh',
    expected_droplet_id: String(green.id),
    ...verify,
    verify_timeout: '5',
    verify_contains: 'v1.6.1'
  },
  true
)
console.log(dim(`Both addresses are on ${where(green.id, 'green again')}.`))
void canary
void fresh

console.log(dim('\nweb-next runs v1.7.0 and passes every probe, but a later step of the deploy fails.'))
const cutover = await step('Deploy v1.7.0: the cutover passes; its moves output says what it moved', {
  operation: 'assign',
  ip: `${v4}\n${v6}`,
  droplet_tag: 'next',
  expected_droplet_id: String(green.id),
  ...verify,
  verify_contains: 'v1.7.0'
})
console.log(dim(`Both addresses are on ${where(next.id, 'web-next')}. Then the database migration fails.`))
const rollback = { operation: 'rollback', moves: cutover.moves ?? '' }
await step('The roll-back step (if: failure() || cancelled()): each address back while still on web-next', rollback)
console.log(dim(`Both addresses are on ${where(green.id, 'green again')}.`))
await step('The roll-back step run once more: every address is already home, nothing is sent', rollback)

console.log(`\n${bold('=== Story 2: the nightly cleanup ===')}`)
console.log(
  dim(
    `Unassigned and billed: ${stale.join(', ')}; ${kept} (listed in keep); ${named} (status.example.com points at it); ${resting} (unassigned 6 minutes ago).`
  )
)
const guards = { keep: kept, keep_dns: 'true', unassigned_for: '1d' }
await step('Pull request: prune as a dry run', { operation: 'prune', dry_run: 'true', ...guards })
await step('Nightly schedule: prune for real', { operation: 'prune', ...guards })
await step('What is left', { operation: 'list' })

const violations = sim.violations.length
await sim.close()
console.log(
  `\n${bold('Done.')} Every request the action sent was checked against DigitalOcean's OpenAPI description: ${violations === 0 ? 'all fit' : `${violations} did not fit`}.`
)
if (failures > 0 || violations > 0) process.exitCode = 1
