/**
 * An HTTP server of the simulator's (the API, the probed services): it listens on a loopback host
 * and closes at once, destroying the connections still open (hung ones too).
 */
import http from 'node:http'

/**
 * @typedef {object} Listening
 * @property {number} port the port it listens on
 * @property {() => Promise<void>} close stops it, destroying open connections
 */

/**
 * Starts a server for `onRequest` on host:port (0: any free port).
 * @param {http.RequestListener} onRequest
 * @param {string} host
 * @param {number} port
 * @returns {Promise<Listening>}
 */
export async function listenHttp(onRequest, host, port) {
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set()
  const server = http.createServer(onRequest)
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('clientError', (_error, socket) => socket.destroy())
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve(undefined)
    })
  })
  const address = server.address()
  const bound = typeof address === 'object' && address ? address.port : port
  const close = () =>
    /** @type {Promise<void>} */ (
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections?.()
        for (const socket of sockets) socket.destroy()
      })
    )
  return { port: bound, close }
}
