// npm run bench: how quickly a cutover is noticed, at what cost in requests, at what scale.
// Runs the bundled action (dist/index.js) as a runner does, against the embedded simulator, and
// prints one table with each figure beside its target, then a table of many cutovers at once on one
// token under DigitalOcean's rate limit. Not a test: nothing here fails a build.
//
//   node scripts/bench.js [--quick] [--markdown]
//     --quick     fewer runs and shorter actions (a smoke run of the benchmark itself)
//     --markdown  print the tables as markdown (for docs/performance.md)
//     --shared    only the table of many cutovers at once on one token
//     --prune     only the prunes at scale (4), plain and with keep_dns and unassigned_for
//     --precheck  only the precheck section (failed answers production sees during a broken deploy)
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startSimulator } from '../sim/simulator.js'
import { DIST, runAction } from './run-action.js'
import { dualStackCutover } from './bench-cutover.js'
import { precheckSection } from './bench-precheck.js'

const args = new Set(process.argv.slice(2))
const quick = args.has('--quick')
const markdown = args.has('--markdown')
const onlyShared = args.has('--shared')
const onlyPrune = args.has('--prune')
const onlyPrecheck = args.has('--precheck')
const TOKEN = 'sim-token'

/** @type {{ figure: string, value: string, target: string, ok: boolean | undefined }[]} */
const rows = []
const row = (figure, value, target = '', ok = undefined) => rows.push({ figure, value, target, ok })
const ms = (x) => `${Math.round(x)} ms`
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo] + (s[hi] - s[lo]) * (pos - lo)
}
const median = (xs) => quantile(xs, 0.5)
const log = (m) => process.stderr.write(`${m}\n`)

// A fixed pseudo-random sequence, so each run of the benchmark uses the same spread of durations.
let seed = 20261125
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}

/** Durations spread over [lo, hi]: one per equal slice of the range, at a random point inside it. */
function spread(lo, hi, n) {
  return Array.from({ length: n }, (_, i) => Math.round(lo + ((i + random()) * (hi - lo)) / n))
}

// ---------------------------------------------------------------------------------------------
// 1. Start-up
async function startup() {
  log('1/5 start-up ...')
  const runs = quick ? 5 : 20
  const baseline = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    spawnSync(process.execPath, ['-e', ''])
    baseline.push(performance.now() - t0)
  }
  const sim = await startSimulator({ validate: false })
  const ip = sim.addIp({ version: 4 }).ip
  const action = []
  for (let i = 0; i < runs; i++) {
    const run = await runAction({ token: TOKEN, api_url: sim.url, operation: 'get', ip })
    if (run.code !== 0) throw new Error(`get failed: ${run.stdout}`)
    action.push(run.ms)
  }
  await sim.close()
  const distDir = fileURLToPath(new URL('../dist/', import.meta.url))
  const size = readdirSync(distDir).reduce((sum, f) => sum + statSync(distDir + f).size, 0)
  const b = median(baseline)
  const a = median(action)
  row('Start-up: `node -e ""` (baseline), median', ms(b))
  row('Start-up: `node dist/index.js` doing a `get`, median', ms(a))
  row('Start-up: ratio', (a / b).toFixed(2), '< 2', a / b < 2)
  row('Start-up: bundle load and `get`, above the baseline', ms(a - b), '< 100 ms', a - b < 100)
  row('Size of `dist/`', `${(size / 1024).toFixed(0)} KiB`)
}

// ---------------------------------------------------------------------------------------------
// 2. Completion lag
/** What a fixed poll every `period` ms would give for an action of `d` ms (lag and polls). */
function fixedPoll(d, period) {
  const polls = Math.ceil(d / period)
  return { lag: polls * period - d, polls }
}

async function completionLag() {
  // Each run has a simulator of its own (its own account): runs in parallel on one token would
  // share its rate limit, and the action spaces its polls out when the account is busy (see 5).
  log('2/5 completion lag (actions run in parallel, each against its own simulator) ...')
  const perBand = quick ? 4 : 10
  const bands = [
    { name: '1-10 s', durations: spread(1000, 10_000, perBand), lagMedian: 500, lagP95: 1000, perMinute: 120 },
    { name: '10-60 s', durations: spread(10_000, quick ? 20_000 : 60_000, perBand), lagP95: 2000, perMinute: 30 }
  ]
  const jobs = bands.flatMap((band) => band.durations.map((d) => ({ band, d })))
  const results = await Promise.all(
    jobs.map(async ({ band, d }, i) => {
      const sim = await startSimulator({ validate: false, actionDurationMs: d })
      const from = sim.addDroplet({ name: `blue-${i}`, region: 'nyc3' })
      const to = sim.addDroplet({ name: `green-${i}`, region: 'nyc3' })
      const ip = sim.addIp({ version: i % 2 ? 6 : 4, region: 'nyc3', dropletId: from.id }).ip
      const run = await runAction({
        token: TOKEN,
        api_url: sim.url,
        operation: 'assign',
        ip,
        droplet_id: String(to.id)
      })
      const exitedAt = performance.now()
      if (run.code !== 0) throw new Error(`assign failed: ${run.stdout}`)
      const action = sim.actions().find((a) => a.ip === ip)
      const completedAt = sim.timeOrigin + action.startedAt + d
      const polls = sim.requests.filter((r) => r.method === 'GET' && r.path === `/v2/actions/${action.id}`)
      // The sustained poll rate after the first 10 s: intervals between the polls made from then on.
      const lateAt = polls.map((r) => r.at - action.startedAt).filter((t) => t >= 10_000)
      const lateSpan = lateAt.length > 1 ? Math.max(...lateAt) - Math.min(...lateAt) : 0
      await sim.close()
      return { band, d, lag: exitedAt - completedAt, polls: polls.length, late: lateAt.length - 1, lateSpan }
    })
  )
  for (const band of bands) {
    const rs = results.filter((r) => r.band === band)
    const lags = rs.map((r) => r.lag)
    const fixed = band.durations.map((d) => fixedPoll(d, 5000))
    const label = `Completion lag, actions of ${band.name} (${rs.length} runs)`
    if (band.lagMedian) {
      row(`${label}: median`, ms(median(lags)), `< ${ms(band.lagMedian)}`, median(lags) < band.lagMedian)
    }
    row(`${label}: p95`, ms(quantile(lags, 0.95)), `< ${ms(band.lagP95)}`, quantile(lags, 0.95) < band.lagP95)
    row(`${label}: median with a fixed 5 s poll (doctl's default)`, ms(median(fixed.map((f) => f.lag))))
    row(
      `${label}: p95 with a fixed 5 s poll`,
      ms(
        quantile(
          fixed.map((f) => f.lag),
          0.95
        )
      )
    )
    if (band.name === '1-10 s') {
      const rate = Math.max(...rs.map((r) => (r.polls / r.d) * 60_000))
      row(`${label}: polls a minute, highest`, rate.toFixed(0), `<= ${band.perMinute}`, rate <= band.perMinute)
      row(
        `${label}: polls per action, median (5 s poll: ${median(fixed.map((f) => f.polls))})`,
        String(median(rs.map((r) => r.polls)))
      )
    } else {
      const rate = Math.max(...rs.filter((r) => r.lateSpan > 0).map((r) => (r.late / r.lateSpan) * 60_000))
      row(
        `${label}: polls a minute after the first 10 s, highest`,
        rate.toFixed(1),
        `<= ${band.perMinute}`,
        rate <= band.perMinute + 0.5
      )
      row(
        `${label}: polls per action, median (5 s poll: ${median(fixed.map((f) => f.polls))})`,
        String(median(rs.map((r) => r.polls)))
      )
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Requests per operation
async function requestsPerOperation() {
  log('3/5 requests per operation ...')
  const sim = await startSimulator({ validate: false, actionDurationMs: 1200 })
  const a = sim.addDroplet({ name: 'a', region: 'nyc3' })
  const b = sim.addDroplet({ name: 'b', region: 'nyc3' })
  const count = async (inputs) => {
    const before = sim.requests.length
    const run = await runAction({ token: TOKEN, api_url: sim.url, ...inputs })
    if (run.code !== 0) throw new Error(`${inputs.operation} failed: ${run.stdout}`)
    const reqs = sim.requests.slice(before)
    const polls = reqs.filter((r) => r.path.startsWith('/v2/actions/')).length
    return { total: reqs.length, polls, outputs: run.outputs }
  }
  for (const version of [4, 6]) {
    const ip = sim.addIp({ version, region: 'nyc3', dropletId: a.id }).ip
    const assign = await count({ operation: 'assign', ip, droplet_id: String(b.id) })
    row(
      `Requests: assign IPv${version}`,
      `${assign.total} (${assign.total - assign.polls} + ${assign.polls} polls)`,
      // What the droplet can hold is checked by reads only for several addresses (see before-move.ts).
      '1 read + 1 action + polls (+ 1 read of the result)'
    )
    const unassign = await count({ operation: 'unassign', ip })
    row(
      `Requests: unassign IPv${version}`,
      `${unassign.total} (${unassign.total - unassign.polls} + ${unassign.polls} polls)`
    )
    const create = await count({ operation: 'create', region: 'nyc3', ip_version: String(version) })
    row(`Requests: create IPv${version} in a region`, String(create.total))
    const onto = await count({ operation: 'create', droplet_id: String(a.id), ip_version: String(version) })
    row(
      `Requests: create IPv${version} onto a droplet`,
      `${onto.total} (${onto.total - onto.polls} + ${onto.polls} polls)`
    )
    const get = await count({ operation: 'get', ip })
    row(`Requests: get IPv${version}`, String(get.total))
    const del = await count({ operation: 'delete', ip: create.outputs.ip })
    row(`Requests: delete IPv${version}`, String(del.total))
  }
  await sim.close()
  for (const n of quick ? [1, 200, 1000] : [1, 200, 10_000]) {
    const s = await startSimulator({ validate: false })
    for (let i = 0; i < n; i++) {
      s.addIp({ version: 4 })
      s.addIp({ version: 6 })
    }
    const run = await runAction({ token: TOKEN, api_url: s.url, operation: 'list' })
    if (run.code !== 0 || run.outputs.count !== String(2 * n)) throw new Error(`list of ${n} failed`)
    const v4 = s.countRequests({ path: '/v2/reserved_ips' })
    const v6 = s.countRequests({ path: '/v2/reserved_ipv6' })
    const limit = Math.ceil(n / 200) + 1
    row(
      `Requests: list of ${n} IPs per family`,
      `${v4} + ${v6} in ${(run.ms / 1000).toFixed(2)} s`,
      `<= ${limit} per family`,
      v4 <= limit && v6 <= limit
    )
    await s.close()
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Prune at scale under DigitalOcean's rate limit: plainly, and with keep_dns and unassigned_for
const DAY = 86_400_000

/** Five DNS zones of 20 A records each, pointing at addresses that are not reserved (nothing spared). */
function addZones(sim) {
  for (let z = 0; z < 5; z++) {
    sim.addDomain(`zone-${z}.example`)
    for (let r = 0; r < 20; r++)
      sim.addRecord(`zone-${z}.example`, { type: 'A', name: `h${r}`, data: `192.0.2.${z * 20 + r + 1}` })
  }
}

async function pruneRun(n, perMinute, timeScale, guarded) {
  const sim = await startSimulator({ validate: false, rateLimit: { perMinute, timeScale } })
  const idleSince = Date.now() - 2 * DAY
  for (let i = 0; i < n; i++) {
    if (i % 3 === 2) sim.addIp({ version: 6, region: 'nyc3', reservedAt: idleSince })
    else sim.addIp({ version: 4, region: 'nyc3', history: [{ type: 'unassign_ip', completedAt: idleSince }] })
  }
  if (guarded) addZones(sim)
  const inputs = { token: TOKEN, api_url: sim.url, operation: 'prune', timeout: '3600', max_release: String(n) }
  if (guarded) Object.assign(inputs, { keep_dns: 'true', unassigned_for: '1d' })
  const run = await runAction(inputs)
  const result = {
    ms: run.ms,
    ok: run.code === 0,
    released: run.code === 0 ? Number(run.outputs.count) : 0,
    left: sim.ips().length,
    requests: sim.requests.length,
    rateLimited: sim.rateLimited,
    byRoute: sim.stats().byRoute
  }
  await sim.close()
  return result
}

async function pruneAtScale() {
  const n = quick ? 60 : 300
  const perMinute = quick ? 50 : 250
  const timeScale = 4
  // The fewest windows that the limit allows for this many requests, the first window free.
  const windowMs = 60_000 / timeScale
  for (const guarded of [false, true]) {
    const what = guarded ? ' with keep_dns and unassigned_for' : ''
    log(`4/5 prune of ${n} IPs${what} under ${perMinute} requests a minute (time compressed ${timeScale}x) ...`)
    const r = await pruneRun(n, perMinute, timeScale, guarded)
    const minimum = Math.max(0, Math.ceil((r.requests - r.rateLimited) / perMinute) - 1) * windowMs
    const label = `Prune ${n}${what}`
    row(
      `Prune ${n} unassigned IPs${what}: released`,
      `${r.released}, ${r.left} left`,
      `${n}, 0 left`,
      r.released === n && r.left === 0
    )
    row(
      `${label}: requests sent (429 answers among them)`,
      `${r.requests} (${r.rateLimited})`,
      'no 429, or every 429 honoured',
      r.ok
    )
    if (guarded) {
      const dns = Object.entries(r.byRoute)
        .filter(([route]) => route.includes('/v2/domains'))
        .reduce((sum, [, count]) => sum + count, 0)
      const history = r.byRoute['GET /v2/reserved_ips/{reserved_ip}/actions'] ?? 0
      row(
        `${label}: DNS reads, action history reads`,
        `${dns}, ${history}`,
        `6 (1 + 5 zones), ${Math.ceil((2 * n) / 3)} (IPv4 only)`,
        dns === 6 && history === Math.ceil((2 * n) / 3)
      )
    }
    row(
      `${label}: elapsed, compressed time (minimum the limit allows)`,
      `${(r.ms / 1000).toFixed(1)} s (${(minimum / 1000).toFixed(1)} s)`,
      '<= 1.2x the minimum',
      r.ms <= 1.2 * minimum || minimum === 0
    )
    row(
      `${label}: ratio to the minimum`,
      minimum ? (r.ms / minimum).toFixed(2) : '-',
      '<= 1.2',
      minimum === 0 || r.ms / minimum <= 1.2
    )
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Many cutovers at once on one token, under DigitalOcean's rate limit (real time)
const PER_MINUTE = 250

/** The cutovers of one load: an IP on a blue droplet each, to move to its green droplet. */
function setUpLoad(sim, durations) {
  const byIp = new Map()
  sim.setActionDuration((action) => byIp.get(action.ip) ?? 1000)
  return durations.map((d, i) => {
    const from = sim.addDroplet({ name: `blue-${i}`, region: 'nyc3' })
    const to = sim.addDroplet({ name: `green-${i}`, region: 'nyc3' })
    const ip = sim.addIp({ version: i % 2 ? 6 : 4, region: 'nyc3', dropletId: from.id }).ip
    byIp.set(ip, d)
    return { ip, to: to.id, d }
  })
}

/** The action itself, as a runner runs it: true when it reported success. */
async function cutoverByAction(sim, job) {
  const run = await runAction({
    token: TOKEN,
    api_url: sim.url,
    operation: 'assign',
    ip: job.ip,
    droplet_id: String(job.to)
  })
  return run.code === 0
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** A request of the fixed-poll peer: honours a 429's retry-after, as any client must. */
async function peerRequest(sim, method, path, body) {
  for (;;) {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const json = await res.json().catch(() => undefined)
    if (res.status !== 429) return { status: res.status, body: json }
    await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000 + 250)
  }
}

/** The naive peer (doctl's `action wait`): read the IP, post the assign, then poll every 5 s. */
async function cutoverByFixedPoll(sim, job) {
  const family = job.ip.includes(':') ? 'reserved_ipv6' : 'reserved_ips'
  const read = await peerRequest(sim, 'GET', `/v2/${family}/${job.ip}`)
  if (read.status !== 200) return false
  const posted = await peerRequest(sim, 'POST', `/v2/${family}/${job.ip}/actions`, {
    type: 'assign',
    droplet_id: job.to
  })
  if (posted.status !== 201) return false
  for (;;) {
    await sleep(5000)
    const polled = await peerRequest(sim, 'GET', `/v2/actions/${posted.body.action.id}`)
    const status = polled.body?.action?.status
    if (status === 'completed') return true
    if (status !== 'in-progress') return false
  }
}

/** Runs every cutover of a load at once against a fresh simulator enforcing 250 requests a minute. */
async function runLoad(durations, cutover) {
  const sim = await startSimulator({ validate: false, rateLimit: { perMinute: PER_MINUTE } })
  const jobs = setUpLoad(sim, durations)
  const results = await Promise.all(
    jobs.map(async (job) => {
      const ok = await cutover(sim, job)
      const exitedAt = performance.now()
      const actions = sim.actions().filter((a) => a.ip === job.ip)
      const moved = sim.getIp(job.ip)?.dropletId === job.to
      const completedAt = actions.length ? sim.timeOrigin + actions[0].startedAt + job.d : NaN
      return { ok: ok && moved, lag: exitedAt - completedAt, duplicate: actions.length > 1 }
    })
  )
  const stats = {
    lags: results.filter((r) => r.ok).map((r) => r.lag),
    failures: results.filter((r) => !r.ok).length,
    duplicates: results.filter((r) => r.duplicate).length,
    rateLimited: sim.rateLimited,
    requests: sim.requests.length,
    peak: peakPerMinute(sim.requests.filter((r) => r.status !== 429).map((r) => r.at))
  }
  await sim.close()
  return stats
}

/** The most requests accepted in any 60 s. */
function peakPerMinute(times) {
  const at = [...times].sort((a, b) => a - b)
  let peak = 0
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[i] - at[j] >= 60_000) j++
    peak = Math.max(peak, i - j + 1)
  }
  return peak
}

/** @type {string[][]} */
const shared = []

async function manyAtOnce() {
  // Its own start of the sequence: the same loads whether or not the other sections ran first.
  seed = 20261126
  const loads = quick
    ? [
        { n: 1, lo: 1000, hi: 6000 },
        { n: 10, lo: 1000, hi: 6000 },
        { n: 20, lo: 1000, hi: 6000 }
      ]
    : [
        { n: 1, lo: 2500, hi: 15_000 },
        { n: 10, lo: 2500, hi: 15_000 },
        { n: 20, lo: 2500, hi: 15_000 },
        { n: 40, lo: 1000, hi: 6000 }
      ]
  for (const load of loads) {
    const durations = spread(load.lo, load.hi, load.n)
    log(`5/5 ${load.n} cutovers at once on one token (actions of ${load.lo / 1000}-${load.hi / 1000} s) ...`)
    for (const [who, cutover] of [
      ['this action', cutoverByAction],
      ['fixed 5 s poll', cutoverByFixedPoll]
    ]) {
      // A fresh simulator each time: nothing left in the minute's window from the load before.
      const r = await runLoad(durations, cutover)
      shared.push([
        String(load.n),
        `${load.lo / 1000}-${load.hi / 1000} s`,
        who,
        r.lags.length ? ms(median(r.lags)) : '-',
        r.lags.length ? ms(quantile(r.lags, 0.95)) : '-',
        String(r.rateLimited),
        String(r.failures),
        String(r.duplicates),
        String(r.requests),
        String(r.peak)
      ])
    }
  }
}

// ---------------------------------------------------------------------------------------------
const started = Date.now()
const onlyOne = onlyPrune || onlyPrecheck
if (onlyPrune) await pruneAtScale()
if (!onlyShared && !onlyOne) {
  await startup()
  await completionLag()
  await requestsPerOperation()
  await pruneAtScale()
  log('dual-stack cutover ...')
  await dualStackCutover({ quick, row, log, median, quantile, durations: spread })
}
if (!onlyShared && !onlyPrune) await precheckSection({ quick, row, log, median })
if (!onlyOne) await manyAtOnce()

const verdict = (ok) => (ok === undefined ? '' : ok ? 'met' : 'MISSED')

function printTable(header, table) {
  if (markdown) {
    console.log(`| ${header.join(' | ')} |`)
    console.log(`| ${header.map(() => '---').join(' | ')} |`)
    for (const r of table) console.log(`| ${r.join(' | ')} |`)
  } else {
    const widths = header.map((_, i) => Math.max(header[i].length, ...table.map((r) => r[i].length)))
    const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ')
    console.log(line(header))
    console.log(widths.map((w) => '-'.repeat(w)).join('  '))
    for (const r of table) console.log(line(r))
  }
}

printTable(
  ['figure', 'value', 'target', ''],
  rows.map((r) => [r.figure, r.value, r.target, verdict(r.ok)])
)
if (!onlyOne) {
  console.log(`\nCutovers at once on one token, the simulator enforcing ${PER_MINUTE} requests in any 60 s:\n`)
  printTable(
    [
      'at once',
      'actions',
      'client',
      'lag median',
      'lag p95',
      '429s',
      'failures',
      'duplicates',
      'requests',
      'most in 60 s'
    ],
    shared
  )
}
console.log(
  `\nnode ${process.version}, ${DIST.replace(/.*\/(dist\/)/, '$1')}, ${quick ? 'quick run, ' : ''}${((Date.now() - started) / 1000).toFixed(0)} s in all`
)
