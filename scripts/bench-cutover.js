// The benchmark's dual-stack cutover: an IPv4 and an IPv6 moved in one verified step by the bundled
// action (run as a runner runs it), against the simulator with its droplets' web service. Measures
// the step's wall time against the slower of its two actions (they run in parallel, so the goal is
// at most 1.1x of it, plus the routing delay) and the time from the actions' completion to verified.
import { startSimulator } from '../sim/simulator.js'
import { runAction } from './run-action.js'

const ROUTING_DELAY_MS = 500

/**
 * @param {{ quick: boolean, row: (figure: string, value: string, target?: string, ok?: boolean) => void,
 *   log: (m: string) => void, median: (xs: number[]) => number, quantile: (xs: number[], q: number) => number,
 *   durations: (lo: number, hi: number, n: number) => number[] }} bench
 */
export async function dualStackCutover(bench) {
  const runs = bench.quick ? 2 : 6
  const v4Durations = bench.durations(2_000, 6_000, runs)
  const v6Durations = bench.durations(2_000, 6_000, runs).reverse()
  const ratios = []
  const toVerified = []
  const walls = []
  for (let i = 0; i < runs; i++) {
    const one = await runOnce(v4Durations[i], v6Durations[i])
    ratios.push((one.wall - ROUTING_DELAY_MS) / one.slower)
    toVerified.push(one.toVerified)
    walls.push(one.wall)
  }
  const ratio = bench.median(ratios)
  const worst = Math.max(...ratios)
  bench.row(
    `Dual-stack cutover (IPv4 + IPv6, verified), ${runs} runs of 2–6 s actions: (wall time − ${ROUTING_DELAY_MS} ms routing delay) ÷ slower action, median / worst`,
    `${ratio.toFixed(2)}x / ${worst.toFixed(2)}x (wall median ${Math.round(bench.median(walls))} ms)`,
    '≤ 1.1x',
    worst <= 1.1
  )
  bench.row(
    'Dual-stack cutover: both actions completed → verified, median / p95',
    `${Math.round(bench.median(toVerified))} ms / ${Math.round(bench.quantile(toVerified, 0.95))} ms`,
    `routing delay ${ROUTING_DELAY_MS} ms + one probe interval`
  )
}

async function runOnce(v4Ms, v6Ms) {
  const sim = await startSimulator({ routingDelayMs: ROUTING_DELAY_MS, validate: false })
  try {
    sim.setActionDuration((a) => (a.resourceType === 'reserved_ipv6' ? v6Ms : v4Ms))
    const blue = sim.addDroplet({ name: 'blue', region: 'nyc3', service: { build: 'old' } })
    const green = sim.addDroplet({ name: 'green', region: 'nyc3', service: { build: 'new' } })
    const v4 = sim.addIp({ version: 4, dropletId: blue.id }).ip
    const v6 = sim.addIp({ version: 6, region: 'nyc3', dropletId: blue.id }).ip
    const run = await runAction({
      token: sim.token,
      api_url: sim.url,
      ip: `${v4}\n${v6}`,
      droplet_id: String(green.id),
      verify_url: sim.verifyUrl,
      verify_contains: 'build=new'
    })
    if (run.code !== 0 || run.outputs.verified !== 'true') throw new Error(`the cutover failed:\n${run.stdout}`)
    const actions = sim.actions()
    const slower = Math.max(...actions.map((a) => a.completedAt - a.startedAt))
    const completed = Math.max(...actions.map((a) => a.completedAt))
    const passed = sim.probeRequests().filter((p) => p.status === 200 && p.dropletId === green.id)
    const verifiedAt = Math.max(
      ...[v4, v6].map((ip) => Math.min(...passed.filter((p) => p.ip === ip).map((p) => p.at)))
    )
    return { wall: run.ms, slower, toVerified: verifiedAt - completed }
  } finally {
    await sim.close()
  }
}
