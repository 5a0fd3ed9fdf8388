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
import { canonicalIp } from './addresses.js'
import { listenHttp } from './listen.js'
import { checkRoutingDelay, checkServicePatch } from './service-config.js'

/** @typedef {import('./service-config.js').SimServicePatch} SimServicePatch */
/** @typedef {import('./service-config.js').SimService} SimService */

const DEFAULT_ROUTING_DELAY_MS = 300

/**
 * @typedef {object} SimRouting
 * @property {string} ip Canonical address.
 * @property {number | null} dropletId The droplet its web traffic reaches now; null when none.
 * @property {number | null} holder The droplet the API shows as holder.
 * @property {{ dropletId: number | null, at: number }[]} pending Switches still to come, in order; `at` is
 *   ms after timeOrigin (the clock of SimAction.completedAt).
 */

/**
 * @typedef {object} ProbeRequest
 * @property {number} at Ms after timeOrigin, when the request arrived.
 * @property {string} ip Canonical address from the first path segment; the segment as sent when it is no address.
 * @property {string} path The rest of the path with the query, e.g. '/healthz'; '/' when empty.
 * @property {string} method
 * @property {Record<string, string | string[] | undefined>} headers As received; names lower case.
 * @property {number} status Status answered; 0 when none was (hang, or the socket closed first).
 * @property {number | null} dropletId The droplet that answered; null when none did (400, 404, 502).
 * @property {'reserved' | 'droplet'} target 'droplet': the address is a droplet's own (public or
 *   private), answered by it; else 'reserved'.
 */

/**
 * @typedef {object} ProbeFilter
 * @property {string} [ip]
 * @property {string} [method]
 * @property {'reserved' | 'droplet'} [target]
 */

/** @typedef {{ ip: string, dropletId: number | null }} RoutedIp */
/** @typedef {{ id: number, name: string }} RoutedDroplet */
/** @typedef {import('node:http').IncomingMessage} Req */
/** @typedef {import('node:http').ServerResponse} Res */

/**
 * The service state and server.
 * @param {{ host: string, routingDelayMs?: number, sinceOrigin: () => number, now?: () => number, settle: () => void,
 *   ipRecord: (ip: string) => RoutedIp | undefined, droplet: (id: number | null) => RoutedDroplet | undefined,
 *   dropletByOwnAddress: (ip: string) => RoutedDroplet | undefined }} deps
 */
export function createServices(deps) {
  let delay = checkRoutingDelay(deps.routingDelayMs ?? DEFAULT_ROUTING_DELAY_MS, 'startSimulator')
  /** @type {Map<string, { routed: number | null, queue: { at: number, dropletId: number | null }[] }>} ip → route (at: epoch ms) */
  const routes = new Map()
  /** @type {Map<number, Record<string, unknown>>} dropletId → the fields of its service that were set */
  const configs = new Map()
  /** @type {ProbeRequest[]} */
  const probes = []
  /** @type {((probe: ProbeRequest) => void)[]} */
  const probeHooks = []
  /** @type {import('./listen.js').Listening | undefined} */
  let listening
  let closed = false
  let url = ''

  // ---------------------------------------------------------- routing

  /** The simulator's clock (epoch ms): a test's, or Date.now. */
  const now = deps.now ?? (() => Date.now())
  /** Epoch ms (on that clock) to ms after the simulator's timeOrigin. */
  const relative = (/** @type {number} */ epoch) => deps.sinceOrigin() - (now() - epoch)

  /**
   * The IP's holder changed: at once when completedAt is null, else routingDelayMs after completedAt.
   * @param {string} ip
   * @param {number | null} dropletId
   * @param {number | null} completedAt
   */
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

  /**
   * The IP's route entry with every switch due by now applied.
   * @param {string} ip
   */
  function advance(ip, at = now()) {
    const entry = routes.get(ip) ?? { routed: null, queue: [] }
    while (entry.queue.length && entry.queue[0].at <= at)
      entry.routed = /** @type {{ dropletId: number | null }} */ (entry.queue.shift()).dropletId
    routes.set(ip, entry)
    return entry
  }

  /**
   * @param {string} text
   * @param {string} where
   */
  function reservedIp(text, where) {
    deps.settle()
    const c = canonicalIp(text)
    const rec = c && deps.ipRecord(c.ip)
    if (!rec) throw new Error(`${where}: ${text} is not reserved in the simulator`)
    return rec
  }

  /**
   * @param {RoutedIp} rec
   * @returns {SimRouting}
   */
  function routingSnapshot(rec) {
    const entry = advance(rec.ip)
    return {
      ip: rec.ip,
      dropletId: entry.routed,
      holder: rec.dropletId,
      pending: entry.queue.map((s) => ({ dropletId: s.dropletId, at: relative(s.at) }))
    }
  }

  /** @param {string} [ip] */
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

  /**
   * @param {number} dropletId
   * @returns {SimService}
   */
  function serviceOf(dropletId) {
    const droplet = deps.droplet(dropletId)
    const config = /** @type {SimServicePatch} */ (configs.get(dropletId) ?? {})
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

  /**
   * @param {number} dropletId
   * @param {SimServicePatch | undefined} patch
   */
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

  /**
   * @param {Req} req
   * @param {Res} res
   * @param {ProbeRequest} record
   * @param {number} status
   * @param {string} text
   */
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
  /** @param {string} target */
  function splitTarget(target) {
    const q = target.indexOf('?')
    const pathPart = q < 0 ? target : target.slice(0, q)
    const query = q < 0 ? '' : target.slice(q)
    const m = /^\/([^/]*)(.*)$/.exec(pathPart)
    return { segment: m ? m[1] : '', rest: `${(m && m[2]) || '/'}${query}` }
  }

  /**
   * @param {Req} req
   * @param {Res} res
   * @param {ProbeRequest} record
   * @param {RoutedDroplet} droplet
   */
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

  /**
   * @param {Req} req
   * @param {Res} res
   */
  function onProbe(req, res) {
    req.resume()
    if (closed) return req.socket.destroy()
    const { segment, rest } = splitTarget(req.url ?? '/')
    const c = canonicalIp(segment)
    /** @type {ProbeRequest} */
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
  /**
   * @param {Req} req
   * @param {Res} res
   * @param {ProbeRequest} record
   * @param {RoutedDroplet} droplet
   */
  function answerOnOwnAddress(req, res, record, droplet) {
    record.target = 'droplet'
    record.dropletId = droplet.id
    answerAsDroplet(req, res, record, droplet)
  }

  async function listen() {
    listening = await listenHttp(onProbe, deps.host, 0)
    const hostInUrl = deps.host.includes(':') ? `[${deps.host}]` : deps.host
    url = `http://${hostInUrl}:${listening.port}`
  }

  function close() {
    if (closed) return Promise.resolve()
    closed = true
    return listening ? listening.close() : Promise.resolve()
  }

  /** The members the simulator object gains (see simulator.js). */
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
      /** @param {ProbeFilter} [filter] */
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
      /**
       * Calls hook with each probe as it arrives, before it is answered (a service change the hook makes,
       * e.g. setService, shows in that answer). Returns a function that removes the hook.
       * @param {(probe: ProbeRequest) => void} hook
       */
      onProbe(hook) {
        probeHooks.push(hook)
        return () => {
          const i = probeHooks.indexOf(hook)
          if (i >= 0) probeHooks.splice(i, 1)
        }
      },
      /**
       * Changes a droplet's service; null clears status, redirect or build (back to the default).
       * @param {number} dropletId
       * @param {SimServicePatch} patch
       */
      setService: (dropletId, patch) => setService(dropletId, patch),
      /** @param {number} dropletId */
      service(dropletId) {
        if (!deps.droplet(dropletId)) throw new Error(`service: droplet ${dropletId} does not exist`)
        return serviceOf(dropletId)
      },
      /**
       * Where the address routes now, the API's holder, and the switches still to come; undefined when
       * the address is not reserved.
       * @param {string} ip
       */
      routing(ip) {
        deps.settle()
        const c = canonicalIp(ip)
        const rec = c && deps.ipRecord(c.ip)
        return rec ? routingSnapshot(rec) : undefined
      },
      routeNow,
      /** @param {number} ms */
      setRoutingDelay(ms) {
        delay = checkRoutingDelay(ms, 'setRoutingDelay')
      }
    }
  }

  return { holderChanged, setService, listen, close, publicApi }
}
