#!/usr/bin/env node
// A TLS front for the loopback simulator, so the action can reach it by an https URL with a host
// name other than localhost (which is what a proxy is used for). Used by the proxy tests and the
// proxy workflow; its certificate is the test one in __tests__/fixtures (api.do-sim.test). The
// probe tests put one with a certificate of their own in front of the droplets' web service.
//
//   node scripts/tls-front.js --target http://127.0.0.1:8089 [--port 8443]
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { createServer } from 'node:tls'
import { fileURLToPath } from 'node:url'

export const TEST_HOST = 'api.do-sim.test'
export const TEST_CERT = fileURLToPath(new URL('../__tests__/fixtures/api-sim-test.crt', import.meta.url))
const TEST_KEY = fileURLToPath(new URL('../__tests__/fixtures/api-sim-test.key', import.meta.url))

/**
 * Listens on 127.0.0.1 with the test certificate (or the key and certificate given) and passes each
 * decrypted connection on to target. `servernames` lists the TLS server name (SNI) of each connection
 * ('' when the client sent none).
 * @param {{ target: URL, port?: number, key?: Buffer | string, cert?: Buffer | string }} options
 * @returns {Promise<{ port: number, servernames: string[], close: () => Promise<void> }>}
 */
export function startTlsFront({ target, port = 0, key = readFileSync(TEST_KEY), cert = readFileSync(TEST_CERT) }) {
  const sockets = new Set()
  /** @type {string[]} */
  const servernames = []
  const server = createServer({ key, cert }, (client) => {
    servernames.push(typeof client.servername === 'string' ? client.servername : '')
    const upstream = connect(Number(target.port), target.hostname)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream).pipe(client)
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        servernames,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy()
            server.close(() => done())
          })
      })
    })
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const value = (flag) => {
    const at = args.indexOf(flag)
    return at === -1 ? undefined : args[at + 1]
  }
  const target = value('--target')
  if (!target) {
    process.stderr.write('usage: node scripts/tls-front.js --target http://127.0.0.1:PORT [--port N]\n')
    process.exit(2)
  }
  const front = await startTlsFront({ target: new URL(target), port: Number(value('--port') ?? 0) })
  process.stdout.write(`TLS front for ${TEST_HOST} listening on 127.0.0.1:${front.port}, passing on to ${target}\n`)
  const stop = () => front.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
