/**
 * The droplets' web service behind each reserved IP, for verified cutovers.
 *
 * A second loopback HTTP server answers `GET /<ip>/<path>` as the droplet that the reserved IP routes to
 * at that moment would. Routing lags the API: after an assign or unassign completes (or assignNow), the
 * address keeps routing to the droplet that held it for `routingDelayMs`, then to the new holder.
 * A droplet's own addresses (public IPv4, private IPv4, public IPv6) are answered by that droplet at
 * once (`target: 'droplet'` in the record), as a precheck probes a droplet before any address moves.
 * A droplet whose service has `ipv6Configured: false` has not added reserved IPv6 addresses to its
 * interface: a probe of a reserved IPv6 routed to it gets no answer (the connection is closed).
 *
 * Answers:
 *   400  the first path segment is no IP address
 *   404  the address is not a reserved IP in the simulator
 *   502  the address routes to no droplet (body: `no droplet holds <ip>`)
 *   302  the droplet's service has `redirect` set (Location: that URL)
 *   405  a method other than GET or HEAD
 *   200  healthy: `ok build=<build> droplet=<id> name=<name>`
 *   503  unhealthy: `unhealthy build=<build> droplet=<id> name=<name>`
 *   <n>  `status` set: `status=<n> build=<build> droplet=<id> name=<name>`
 *   none `hang` set: the request is read and never answered (status 0 in the record)
 *
 * Probe requests are recorded apart from API requests: they are not in `requests`, stats or the rate
 * limit, and are not checked against the OpenAPI description.
 */
import http from 'node:http'
import { canonicalIp } from './addresses.js'

export const DEFAULT_ROUTING_DELAY_MS = 300

const SERVICE_FIELDS = new Set(['healthy', 'build', 'status', 'hang', 'redirect', 'ipv6Configured'])

/** Throws unless ms is a finite number of milliseconds, zero or more. */
export function checkRoutingDelay(ms, where) {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
    throw new Error(`${where}: routingDelayMs must be a finite number of milliseconds, 0 or more (got ${ms})`)
  return ms
}

function checkText(value, field, where) {
  if (value === null) return null
  if (typeof value !== 'string' || value === '' || /[\r\n]/.test(value))
    throw new Error(`${where}: ${field} must be a non-empty one-line string or null (got ${JSON.stringify(value)})`)
  return value
}

function checkFlag(value, field, where) {
  if (typeof value !== 'boolean') throw new Error(`${where}: ${field} must be true or false (got ${value})`)
  return value
}

function checkStatus(value, where) {
  if (value === null) return null
  if (!Number.isInteger(value) || value < 200 || value > 599)
    throw new Error(`${where}: status must be a whole number from 200 to 599, or null (got ${value})`)
  return value
}

/** Checks a service patch ({ healthy?, build?, status?, hang?, redirect?, ipv6Configured? }) and returns a clean copy. */
export function checkServicePatch(patch, where) {
  if (patch === undefined) return {}
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
    throw new Error(`${where}: the service must be an object`)
  const out = {}
  for (const [field, value] of Object.entries(patch)) {
    if (!SERVICE_FIELDS.has(field)) throw new Error(`${where}: unknown service field '${field}'`)
    if (value === undefined) continue
    if (field === 'healthy' || field === 'hang' || field === 'ipv6Configured')
      out[field] = checkFlag(value, field, where)
    else if (field === 'status') out.status = checkStatus(value, where)
    else out[field] = checkText(value, field, where)
  }
  return out
}

/**
 * The service state and server. deps: { host, routingDelayMs, sinceOrigin, now (epoch ms), settle, canonicalIp,
 * ipRecord(ip) → { ip, dropletId } | undefined, droplet(id) → { id, name } | undefined,
 * dropletByOwnAddress(ip) → { id, name } | undefined }.
 */
export function createServices(deps) {
  let delay = checkRoutingDelay(deps.routingDelayMs ?? DEFAULT_ROUTING_DELAY_MS, 'startSimulator')
  const routes = new Map() // ip → { routed: dropletId | null, queue: [{ at: epoch ms, dropletId }] }
  const configs = new Map() // dropletId → { healthy, build, status, hang, redirect, ipv6Configured }
  const probes = []
  const probeHooks = []
  const sockets = new Set()
  let closed = false
  let url = ''

  // ---------------------------------------------------------- routing

  /** The simulator's clock (epoch ms): a test's, or Date.now. */
  const now = deps.now ?? (() => Date.now())
  /** Epoch ms (on that clock) to ms after the simulator's timeOrigin. */
  const relative = (epoch) => deps.sinceOrigin() - (now() - epoch)

  /** The IP's holder changed: at once when completedAt is null, else routingDelayMs after completedAt. */
  function holderChanged(ip, dropletId, completedAt) {
    if (completedAt === null) {
      routes.set(ip, { routed: dropletId, queue: [] })
      return
    }
    const entry = routes.get(ip) ?? { routed: null, queue: [] }
    entry.queue.push({ at: completedAt + delay, dropletId })
    entry.queue.sort((a, b) => a.at - b.at)
    routes.set(ip, entry)
  }

  /** The IP's route entry with every switch due by now applied. */
  function advance(ip, at = now()) {
    const entry = routes.get(ip) ?? { routed: null, queue: [] }
    while (entry.queue.length && entry.queue[0].at <= at) entry.routed = entry.queue.shift().dropletId
    routes.set(ip, entry)
    return entry
  }

  function reservedIp(text, where) {
    deps.settle()
    const c = canonicalIp(text)
    const rec = c && deps.ipRecord(c.ip)
    if (!rec) throw new Error(`${where}: ${text} is not reserved in the simulator`)
    return rec
  }

  function routingSnapshot(rec) {
    const entry = advance(rec.ip)
    return {
      ip: rec.ip,
      dropletId: entry.routed,
      holder: rec.dropletId,
      pending: entry.queue.map((s) => ({ dropletId: s.dropletId, at: relative(s.at) }))
    }
  }

  function routeNow(ip) {
    deps.settle()
    const targets = ip === undefined ? [...routes.keys()] : [reservedIp(ip, 'routeNow').ip]
    for (const key of targets) {
      const entry = advance(key)
      if (entry.queue.length) entry.routed = entry.queue[entry.queue.length - 1].dropletId
      entry.queue = []
    }
  }

  // ---------------------------------------------------------- services

  function serviceOf(dropletId) {
    const droplet = deps.droplet(dropletId)
    const config = configs.get(dropletId) ?? {}
    return {
      dropletId,
      healthy: config.healthy ?? true,
      build: config.build ?? `build-${droplet ? droplet.name : dropletId}`,
      status: config.status ?? null,
      hang: config.hang ?? false,
      redirect: config.redirect ?? null,
      ipv6Configured: config.ipv6Configured ?? true
    }
  }

  function setService(dropletId, patch, where = 'setService') {
    if (!deps.droplet(dropletId)) throw new Error(`${where}: droplet ${dropletId} does not exist`)
    const clean = checkServicePatch(patch, where)
    const config = { ...(configs.get(dropletId) ?? {}) }
    for (const [field, value] of Object.entries(clean)) {
      if (value === null) delete config[field]
      else config[field] = value
    }
    configs.set(dropletId, config)
    return serviceOf(dropletId)
  }

  // ---------------------------------------------------------- the server

  function answer(req, res, record, status, text, headers = {}) {
    record.status = status
    const body = `${text}\n`
    res.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'cache-control': 'no-store',
      ...headers
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  /** Splits `/<ip>/<rest>?<query>` into the IP segment and the rest (with the query). */
  function splitTarget(target) {
    const q = target.indexOf('?')
    const pathPart = q < 0 ? target : target.slice(0, q)
    const query = q < 0 ? '' : target.slice(q)
    const m = /^\/([^/]*)(.*)$/.exec(pathPart)
    return { segment: m ? m[1] : '', rest: `${(m && m[2]) || '/'}${query}` }
  }

  function answerAsDroplet(req, res, record, droplet) {
    const svc = serviceOf(droplet.id)
    const who = `build=${svc.build} droplet=${droplet.id} name=${droplet.name}`
    if (svc.hang) return
    if (svc.redirect !== null)
      return answer(req, res, record, 302, `redirect to ${svc.redirect}`, { location: svc.redirect })
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return answer(req, res, record, 405, `method ${req.method} not allowed`, { allow: 'GET, HEAD' })
    if (svc.status !== null) return answer(req, res, record, svc.status, `status=${svc.status} ${who}`)
    if (svc.healthy) return answer(req, res, record, 200, `ok ${who}`)
    answer(req, res, record, 503, `unhealthy ${who}`)
  }

  function onProbe(req, res) {
    req.resume()
    if (closed) return req.socket.destroy()
    const { segment, rest } = splitTarget(req.url ?? '/')
    const c = canonicalIp(segment)
    const record = {
      at: deps.sinceOrigin(),
      ip: c ? c.ip : segment,
      path: rest,
      method: String(req.method).toUpperCase(),
      headers: { ...req.headers },
      status: 0,
      dropletId: null,
      target: 'reserved'
    }
    probes.push(record)
    for (const hook of [...probeHooks]) hook(record)
    if (!c) return answer(req, res, record, 400, `'${segment}' is not an IP address`)
    deps.settle()
    const own = deps.dropletByOwnAddress(c.ip)
    if (own) return answerOnOwnAddress(req, res, record, own)
    if (!deps.ipRecord(c.ip)) return answer(req, res, record, 404, `${c.ip} is not a reserved IP`)
    const droplet = deps.droplet(advance(c.ip).routed)
    if (!droplet) return answer(req, res, record, 502, `no droplet holds ${c.ip}`)
    record.dropletId = droplet.id
    // The address reaches the droplet, but a droplet that has not added the reserved IPv6 to its
    // interface does not take the connection.
    if (c.version === 6 && !serviceOf(droplet.id).ipv6Configured) return req.socket.destroy()
    answerAsDroplet(req, res, record, droplet)
  }

  /** A droplet's own public or private address: the droplet answers at once, whatever holds reserved IPs. */
  function answerOnOwnAddress(req, res, record, droplet) {
    record.target = 'droplet'
    record.dropletId = droplet.id
    answerAsDroplet(req, res, record, droplet)
  }

  const server = http.createServer(onProbe)
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('clientError', (_error, socket) => socket.destroy())

  function listen() {
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, deps.host, () => {
        server.off('error', reject)
        const address = server.address()
        const hostInUrl = deps.host.includes(':') ? `[${deps.host}]` : deps.host
        url = `http://${hostInUrl}:${address.port}`
        resolve(undefined)
      })
    })
  }

  function close() {
    if (closed) return Promise.resolve()
    closed = true
    return new Promise((resolve) => {
      if (!server.listening) return resolve(undefined)
      server.close(() => resolve(undefined))
      server.closeAllConnections?.()
      for (const socket of sockets) socket.destroy()
    })
  }

  /** The members the simulator object gains (see simulator.d.ts). */
  function publicApi() {
    return {
      get serviceUrl() {
        return url
      },
      get verifyUrl() {
        return `${url}/{ip}/healthz`
      },
      get routingDelayMs() {
        return delay
      },
      get probes() {
        return probes
      },
      probeRequests(filter = {}) {
        const c = filter.ip === undefined ? undefined : canonicalIp(filter.ip)
        const ip = c ? c.ip : filter.ip
        return probes.filter(
          (p) =>
            (ip === undefined || p.ip === ip) &&
            (filter.method === undefined || p.method === filter.method.toUpperCase()) &&
            (filter.target === undefined || p.target === filter.target)
        )
      },
      onProbe(hook) {
        probeHooks.push(hook)
        return () => {
          const i = probeHooks.indexOf(hook)
          if (i >= 0) probeHooks.splice(i, 1)
        }
      },
      setService: (dropletId, patch) => setService(dropletId, patch),
      service(dropletId) {
        if (!deps.droplet(dropletId)) throw new Error(`service: droplet ${dropletId} does not exist`)
        return serviceOf(dropletId)
      },
      routing(ip) {
        deps.settle()
        const c = canonicalIp(ip)
        const rec = c && deps.ipRecord(c.ip)
        return rec ? routingSnapshot(rec) : undefined
      },
      routeNow,
      setRoutingDelay(ms) {
        delay = checkRoutingDelay(ms, 'setRoutingDelay')
      }
    }
  }

  return { holderChanged, setService, listen, close, publicApi }
}
