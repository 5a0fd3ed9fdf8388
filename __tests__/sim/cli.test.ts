/** npm run sim: the simulator's command line, as the README's "Try it without a token" starts it. */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from '@jest/globals'

const CLI = fileURLToPath(new URL('../../sim/cli.js', import.meta.url))

/** The CLI's output up to its verify_url line, then it is stopped as a terminal's Ctrl-C would. */
function startAndRead(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('verify_url template:')) child.kill('SIGINT')
    })
    child.on('error', reject)
    child.on('exit', () => resolve(out))
  })
}

it('--seed prints the droplets and the reserved addresses it made', async () => {
  const out = await startAndRead(['--seed', '--port', '0'])
  expect(out).toMatch(/^DO simulator listening on http:\/\/127\.0\.0\.1:\d+$/m)
  expect(out).toContain('droplet 1001 blue-1 (tag blue, nyc3)')
  expect(out).toContain('droplet 1002 green-1 (tag green, nyc3)')
  expect(out).toContain('reserved IPv4 203.0.113.10 (nyc3) on droplet 1001')
  expect(out).toContain('reserved IPv4 203.0.113.11 (nyc3) on no droplet')
  expect(out).toContain('reserved IPv6 2001:db8:10::1 (nyc3) on droplet 1001')
  expect(out).toContain('reserved IPv6 2001:db8:10::2 (nyc3) on no droplet')
})

it('without --seed, it prints no droplet or address', async () => {
  const out = await startAndRead(['--port', '0'])
  expect(out).toContain('verify_url template:')
  expect(out).not.toMatch(/^(droplet \d|reserved IPv)/m)
})
