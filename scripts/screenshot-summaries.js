// Screenshots of the step summaries of typical outcomes, rendered as GitHub renders them: the
// bundled action runs each step against the embedded simulator, as a runner runs it; its summary is
// rendered as GitHub Flavored Markdown inside a page styled like github.com (scripts/summary-page.js)
// and photographed with headless Chromium. Not a test: look at the pictures.
//
//   node scripts/screenshot-summaries.js [--dist path/to/index.js] [--out dir] [--chromium path]
//
// Writes <name>.md, <name>.html and <name>.png for each outcome to --out (default: a new directory
// under the system's temporary directory, printed at the end). Without Chromium (/usr/bin/chromium,
// or --chromium), only the markdown and HTML are written.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { startSimulator } from '../sim/simulator.js'
import { DIST, runAction } from './run-action.js'
import { summaryPage } from './summary-page.js'

const argv = process.argv.slice(2)
const option = (name, fallback) => {
  const at = argv.indexOf(`--${name}`)
  return at === -1 ? fallback : argv[at + 1]
}
const dist = resolve(option('dist', DIST))
const out = resolve(option('out', mkdtempSync(join(tmpdir(), 'do-ip-summaries-'))))
const chromium = option('chromium', '/usr/bin/chromium')
mkdirSync(out, { recursive: true })

/** A loopback port that nothing listens on: an API that cannot be reached. */
async function closedPort() {
  const server = createServer()
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok))
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
  await new Promise((ok) => server.close(ok))
  return port
}

const sim = await startSimulator({ actionDurationMs: 300, routingDelayMs: 100 })
const blue = sim.addDroplet({ name: 'web-blue-production', region: 'nyc3', service: { build: 'v1.4.0' } })
const green = sim.addDroplet({ name: 'web-green-production', region: 'nyc3', service: { build: 'v1.5.0' } })
const broken = sim.addDroplet({ name: 'web-canary-production', region: 'nyc3', service: { build: 'v1.5.9' } })
const v4 = sim.addIp({ version: 4, region: 'nyc3', dropletId: blue.id }).ip
const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue.id }).ip
const daysAgo = (d) => Date.now() - d * 86_400_000
const stale = sim.addIp({ version: 4, region: 'nyc3', history: [{ type: 'unassign_ip', completedAt: daysAgo(12) }] })
const recent = sim.addIp({ version: 4, region: 'nyc3', history: [{ type: 'unassign_ip', completedAt: daysAgo(0.01) }] })
const neverAssigned = sim.addIp({ version: 4, region: 'nyc3' })
const oldV6 = sim.addIp({ version: 6, region: 'nyc3', reservedAt: daysAgo(30) })
const named = sim.addIp({ version: 4, region: 'sfo3', history: [{ type: 'unassign_ip', completedAt: daysAgo(40) }] })
const kept = sim.addIp({ version: 6, region: 'sfo3', reservedAt: daysAgo(60) })
sim.addDomain('example.com')
sim.addRecord('example.com', { type: 'A', name: 'status', data: named.ip })
void stale
void recent
void neverAssigned
void oldV6

const api = { token: 'sim-token', api_url: sim.url }
const verify = { verify_url: sim.verifyUrl, verify_timeout: '3' }
/** The `moves` output of the run named `name`, for the roll-back that follows it. */
const movesOf = (name) => runs.get(name)?.outputs.moves ?? '[]'
const cutover = (to, extra = {}) => ({ ...api, ip: `${v4}\n${v6}`, droplet_id: String(to.id), ...verify, ...extra })
const outcomes = [
  {
    name: 'cutover-passed',
    label: 'A verified cutover of an IPv4 and an IPv6 address',
    inputs: () => cutover(green, { verify_contains: 'v1.5.0' })
  },
  {
    name: 'rollback',
    label: 'The one-step roll-back of that cutover (a later step failed)',
    inputs: () => ({ ...api, operation: 'rollback', moves: movesOf('cutover-passed') })
  },
  {
    name: 'cutover-rolled-back',
    label: 'A cutover whose verification failed, rolled back',
    inputs: () => cutover(broken, { verify_contains: 'v1.6.0' })
  },
  {
    name: 'cutover-cancelled',
    label: 'A cutover cancelled while DigitalOcean was still moving the addresses',
    inputs: () => cutover(green, { verify_contains: 'v1.5.0' }),
    actionMs: 4000,
    cancel: { signal: 'SIGTERM', when: /started/i }
  },
  {
    name: 'rollback-after-cancel',
    label: "The roll-back of the cancelled cutover (it waits for the cutover's actions first)",
    inputs: () => ({ ...api, operation: 'rollback', moves: movesOf('cutover-cancelled') }),
    actionMs: 4000
  },
  {
    name: 'prune-spared',
    label: 'A prune with keep, keep_dns and unassigned_for',
    inputs: () => ({ ...api, operation: 'prune', keep: kept.ip, keep_dns: 'true', unassigned_for: '7d' })
  },
  {
    name: 'api-unreachable',
    label: 'A step whose API cannot be reached',
    inputs: async () => ({
      token: 'sim-token',
      api_url: `http://127.0.0.1:${await closedPort()}`,
      operation: 'get',
      ip: v4,
      timeout: '15'
    })
  }
]

const env = {
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'octo-org/deploy',
  GITHUB_RUN_ID: '8312345678'
}
const hasChromium = existsSync(chromium)
/** Each outcome's run, by name. */
const runs = new Map()
for (const outcome of outcomes) {
  sim.setActionDuration(outcome.actionMs ?? 300)
  const run = await runAction(await outcome.inputs(), env, 120_000, outcome.cancel, dist)
  runs.set(outcome.name, run)
  const md = join(out, `${outcome.name}.md`)
  const html = join(out, `${outcome.name}.html`)
  writeFileSync(md, run.summary)
  writeFileSync(html, summaryPage(run.summary, `${outcome.label} (exit code ${run.code})`))
  if (hasChromium) screenshot(html, join(out, `${outcome.name}.png`))
  console.log(`${outcome.name}: exit code ${run.code}, ${hasChromium ? 'screenshot' : 'HTML'} written`)
}
sim.close()
console.log(`Written to ${out}`)

/** Headless Chromium's picture of a page, in a profile of its own that nothing outlives. */
function screenshot(page, png) {
  const profile = mkdtempSync(join(tmpdir(), 'do-ip-chromium-'))
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    '--window-size=960,1000',
    `--screenshot=${png}`,
    pathToFileURL(page).href
  ]
  const child = spawnSync(chromium, args, { encoding: 'utf8', timeout: 60_000 })
  rmSync(profile, { recursive: true, force: true })
  if (child.status !== 0) throw new Error(`chromium failed (${child.status}): ${child.stderr}`)
}
