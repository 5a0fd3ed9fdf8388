// The benchmark's precheck section: what production traffic sees through the reserved address while a
// deploy of a broken green droplet runs, and what the precheck costs a healthy cutover. The bundled
// action runs as a runner runs it, in real time, against the simulator and its droplets' web service.
//
// A production client requests the reserved address every 100 ms from the step's start, over the same
// window for every mode (long enough for the slowest, verification only, plus 2 s), each request on a
// new connection with a 1 s limit; an answer other than 2xx, an error or no answer is a failed answer,
// and stands for 100 ms of failed traffic.
import http from 'node:http'
import { startSimulator } from '../sim/simulator.js'
import { runAction } from './run-action.js'

const CLIENT_PERIOD_MS = 100
const AFTER_STEP_MS = 2000
const ROUTING_DELAY_MS = 500

/** One request of the production client: true when it was answered 2xx. */
function requestOnce(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode >= 200 && res.statusCode < 300))
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
  })
}

/** Requests url every 100 ms until stop() is called; resolves to { sent, failed, lastFailed }. */
function productionClient(url) {
  let stopped = false
  const outcomes = []
  const loop = (async () => {
    while (!stopped) {
      const tick = new Promise((resolve) => setTimeout(resolve, CLIENT_PERIOD_MS))
      outcomes.push(requestOnce(url))
      await tick
    }
    const ok = await Promise.all(outcomes)
    return { sent: ok.length, failed: ok.filter((x) => !x).length, lastFailed: ok.length > 0 && !ok.at(-1) }
  })()
  return {
    stop: () => {
      stopped = true
      return loop
    }
  }
}

/**
 * A blue-green deploy of one reserved IPv4 to green; green broken or healthy, with the probes asked for.
 * The production client watches for observeMs from the start, and at least 2 s after the step ends.
 */
async function deploy({ broken, precheck, verify, actionMs, verifyTimeout, observeMs = 0 }) {
  const sim = await startSimulator({ routingDelayMs: ROUTING_DELAY_MS, actionDurationMs: actionMs, validate: false })
  try {
    const blue = sim.addDroplet({ name: 'blue', service: { build: 'old' } })
    const green = sim.addDroplet({ name: 'green', service: broken ? { status: 500, build: 'new' } : { build: 'new' } })
    const ip = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const client = productionClient(`${sim.serviceUrl}/${ip}/`)
    const started = performance.now()
    const run = await runAction({
      token: sim.token,
      api_url: sim.url,
      ip,
      droplet_id: String(green.id),
      ...(precheck ? { precheck_url: sim.verifyUrl } : {}),
      ...(verify ? { verify_url: sim.verifyUrl } : {}),
      ...(precheck || verify ? { verify_contains: 'build=new', verify_timeout: String(verifyTimeout) } : {})
    })
    const rest = Math.max(AFTER_STEP_MS, observeMs - (performance.now() - started))
    await new Promise((resolve) => setTimeout(resolve, rest))
    const seen = await client.stop()
    return { run, seen, posts: sim.requests.filter((r) => r.method === 'POST').length }
  } finally {
    await sim.close()
  }
}

const failedSeconds = (seen) => (seen.failed * CLIENT_PERIOD_MS) / 1000

/**
 * @param {{ quick: boolean, row: (figure: string, value: string, target?: string, ok?: boolean) => void,
 *   log: (m: string) => void, median: (xs: number[]) => number }} bench
 */
export async function precheckSection(bench) {
  const actionMs = bench.quick ? 1500 : 3000
  const verifyTimeout = bench.quick ? 5 : 15
  // Verification only takes the move, verify_timeout and the move back: the window covers that.
  const observeMs = verifyTimeout * 1000 + 2 * actionMs + 2 * ROUTING_DELAY_MS + 3000
  const modes = [
    { name: 'precheck_url + verify_url', precheck: true, verify: true },
    { name: 'verify_url only (verification after the move)', precheck: false, verify: true },
    { name: 'neither (move only)', precheck: false, verify: false }
  ]
  for (const mode of modes) {
    bench.log(`precheck: a broken green, ${mode.name} ...`)
    const { run, seen, posts } = await deploy({ broken: true, ...mode, actionMs, verifyTimeout, observeMs })
    const still = seen.lastFailed ? '; still failing when the watch ended' : ''
    const outcome = `step ${run.code === 0 ? 'passed' : 'failed'} in ${(run.ms / 1000).toFixed(1)} s, ${posts} change(s) sent`
    bench.row(
      `Broken green (answers 500), ${mode.name}: failed answers production saw in ${(observeMs / 1000).toFixed(0)} s (${seen.failed} of ${seen.sent} requests, every 100 ms)`,
      `${failedSeconds(seen).toFixed(1)} s (${outcome}${still})`,
      mode.precheck ? '0 s' : '',
      mode.precheck ? seen.failed === 0 : undefined
    )
  }
  const runs = bench.quick ? 2 : 6
  const times = { with: [], without: [] }
  for (let i = 0; i < runs; i++) {
    for (const [key, precheck] of [
      ['without', false],
      ['with', true]
    ]) {
      bench.log(`precheck: a healthy verified cutover ${key} the precheck (${i + 1}/${runs}) ...`)
      const { run, seen } = await deploy({ broken: false, precheck, verify: true, actionMs, verifyTimeout })
      if (run.code !== 0 || run.outputs.verified !== 'true') throw new Error(`the cutover failed:\n${run.stdout}`)
      if (seen.failed > 0) throw new Error(`a healthy cutover showed ${seen.failed} failed answers`)
      times[key].push(run.ms)
    }
  }
  const withMs = bench.median(times.with)
  const withoutMs = bench.median(times.without)
  bench.row(
    `Healthy verified cutover (${actionMs / 1000} s action), ${runs} runs: with the precheck / without, median`,
    `${Math.round(withMs)} ms / ${Math.round(withoutMs)} ms (${withMs >= withoutMs ? '+' : '−'}${Math.abs(Math.round(withMs - withoutMs))} ms)`,
    '+ one probe round and one droplet read'
  )
}
