#!/usr/bin/env node
/**
 * Runs the DigitalOcean API simulator until SIGINT or SIGTERM.
 *
 *   node sim/cli.js [--port N] [--token T] [--action-ms N] [--routing-ms N] [--seed]
 *
 * --action-ms is how long assign and unassign actions take (default 300); --routing-ms how long after
 * one completes the address's web traffic still reaches the old droplet (default 300).
 * --seed adds droplets blue-1 (1001, tag blue, nyc3, service build 'build-blue'), green-1 (1002, tag green,
 * nyc3, service build 'build-green') and far-1 (1003, tag far, sfo3), and a few reserved IPs (IPv4 and
 * IPv6, assigned and free).
 *
 * It prints the API URL, the droplets' web service URL and a verify_url template whose {ip} the action
 * replaces by each moved address (e.g. http://127.0.0.1:PORT/{ip}/healthz).
 */
import { startSimulator } from './simulator.js'

/**
 * @param {string} [message]
 * @returns {never}
 */
function usage(message) {
  if (message) process.stderr.write(`${message}\n`)
  process.stderr.write('usage: node sim/cli.js [--port N] [--token T] [--action-ms N] [--routing-ms N] [--seed]\n')
  process.exit(2)
}

/** @param {string[]} argv */
function parseArgs(argv) {
  const out = { port: 0, token: 'sim-token', actionMs: 300, routingMs: 300, seed: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined]
    const value = () => {
      const v = inline ?? argv[++i]
      if (v === undefined) usage(`${flag} needs a value`)
      return v
    }
    const number = () => {
      const v = value()
      if (!/^\d+$/.test(v)) usage(`${flag} needs a whole number, not '${v}'`)
      return Number(v)
    }
    switch (flag) {
      case '--port':
        out.port = number()
        break
      case '--token':
        out.token = value()
        break
      case '--action-ms':
        out.actionMs = number()
        break
      case '--routing-ms':
        out.routingMs = number()
        break
      case '--seed':
        out.seed = true
        break
      case '--help':
      case '-h':
        usage()
        break
      default:
        usage(`unknown argument '${arg}'`)
    }
  }
  return out
}

const args = parseArgs(process.argv.slice(2))
const sim = await startSimulator({
  port: args.port,
  token: args.token,
  actionDurationMs: args.actionMs,
  routingDelayMs: args.routingMs
})

if (args.seed) {
  const blue = sim.addDroplet({
    id: 1001,
    name: 'blue-1',
    region: 'nyc3',
    tags: ['blue'],
    service: { build: 'build-blue' }
  })
  sim.addDroplet({ id: 1002, name: 'green-1', region: 'nyc3', tags: ['green'], service: { build: 'build-green' } })
  const far = sim.addDroplet({ id: 1003, name: 'far-1', region: 'sfo3', tags: ['far'] })
  sim.addIp({ version: 4, region: 'nyc3', dropletId: blue.id })
  sim.addIp({ version: 4, region: 'nyc3' })
  sim.addIp({ version: 4, region: 'sfo3', dropletId: far.id })
  sim.addIp({ version: 6, region: 'nyc3', dropletId: blue.id })
  sim.addIp({ version: 6, region: 'nyc3' })
}

process.stdout.write(`DO simulator listening on ${sim.url}\n`)
if (args.seed) {
  for (const d of sim.droplets())
    process.stdout.write(`droplet ${d.id} ${d.name} (tag ${d.tags.join(', ')}, ${d.region})\n`)
  for (const ip of sim.ips()) {
    process.stdout.write(
      `reserved IPv${ip.version} ${ip.ip} (${ip.region}) on ${ip.dropletId === null ? 'no droplet' : `droplet ${ip.dropletId}`}\n`
    )
  }
}
process.stdout.write(`droplet web service on ${sim.serviceUrl} (routing delay ${sim.routingDelayMs} ms)\n`)
process.stdout.write(`verify_url template: ${sim.verifyUrl}\n`)

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  const problems = sim.violations
  if (problems.length)
    process.stderr.write(`${problems.length} OpenAPI problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}\n`)
  await sim.close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
