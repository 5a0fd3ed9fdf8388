/** A CONNECT proxy for the tests: Basic auth, a fixed route table, and a record of every tunnel asked for. */
import { createServer, type IncomingMessage } from 'node:http'
import { connect, type LookupFunction, type Socket } from 'node:net'

interface ConnectRecord {
  /** host:port as asked for in the CONNECT line. */
  readonly target: string
  /** user:password from Proxy-Authorization, or undefined when none was sent. */
  readonly credentials: string | undefined
  readonly status: number
}

export interface TestProxy {
  readonly url: (user: string, password: string) => string
  readonly connects: ConnectRecord[]
  readonly close: () => Promise<void>
}

function credentialsOf(req: IncomingMessage): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers['proxy-authorization'] ?? '')
  return match ? Buffer.from(match[1] as string, 'base64').toString('utf8') : undefined
}

/**
 * Starts a proxy on 127.0.0.1 that accepts `user:password` and tunnels only the targets in routes
 * (host:port as the client names it) to the loopback port they map to. Any other target gets 403.
 */
export async function startConnectProxy(
  user: string,
  password: string,
  routes: Map<string, number>
): Promise<TestProxy> {
  const connects: ConnectRecord[] = []
  const sockets = new Set<Socket>()
  const server = createServer((_req, res) => res.writeHead(405).end())
  server.on('connect', (req: IncomingMessage, client: Socket) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => client.destroy())
    const target = req.url ?? ''
    const credentials = credentialsOf(req)
    const port = routes.get(target)
    const status = credentials !== `${user}:${password}` ? 407 : port === undefined ? 403 : 200
    connects.push({ target, credentials, status })
    if (status !== 200 || port === undefined) {
      const challenge = status === 407 ? 'Proxy-Authenticate: Basic realm="test"\r\n' : ''
      client.end(
        `HTTP/1.1 ${status} ${status === 407 ? 'Proxy Authentication Required' : 'Forbidden'}\r\n${challenge}\r\n`
      )
      return
    }
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.pipe(client).pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: (u, p) => `http://${encodeURIComponent(u)}:${encodeURIComponent(p)}@127.0.0.1:${port}`,
    connects,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}

/** A resolver that knows one name (as loopback) and refuses every other, so no query leaves the machine. */
export function loopbackLookup(name: string): LookupFunction {
  return (hostname, options, callback) => {
    if (hostname !== name) {
      const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`)
      error.code = 'ENOTFOUND'
      callback(error, '', 4)
    } else if (options.all) {
      ;(callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: '127.0.0.1', family: 4 }
      ])
    } else {
      callback(null, '127.0.0.1', 4)
    }
  }
}
