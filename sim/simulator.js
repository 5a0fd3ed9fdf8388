/**
 * A stateful loopback simulator of the parts of the DigitalOcean API the action uses: reserved IPv4
 * (and their older name, floating IPs), reserved IPv6, their actions, droplet look-ups and DNS zones;
 * and, on a second server, the droplets' web service behind each reserved IP.
 *
 * Every request and response is checked against the OpenAPI excerpt in api/ (see openapi.js); problems
 * are collected in `violations`. Faults (errors, rate limits, dropped or hung connections, pending
 * events, other clients' moves) can be queued with inject(); actions take a configurable time and can
 * end in several ways. The modules: state.js (the state and the actions' lifecycle), ips.js,
 * actions.js, droplets.js, domains.js, history.js (the API's resources), faults.js, others.js (other
 * clients), rate-limit.js, scopes.js, answers.js and server.js (the HTTP side), services.js (the web
 * side that probes reach), openapi.js (the check), cli.js (`npm run sim`).
 */
import { actionApi } from './actions.js'
import { domainApi } from './domains.js'
import { dropletApi } from './droplets.js'
import { faultApi } from './faults.js'
import { historyApi } from './history.js'
import { ipApi } from './ip-api.js'
import { otherApi } from './others.js'
import { scopeApi } from './scopes.js'
import { listenApi, requestApi } from './server.js'
import { createState } from './state.js'

export { canonicalIp } from './addresses.js'
export { scaledClock } from './clock.js'

/** @typedef {import('./addresses.js').IpVersion} IpVersion */
/** @typedef {import('./clock.js').SimClock} SimClock */
/** @typedef {import('./clock.js').ScaledClock} ScaledClock */
/** @typedef {import('./state.js').SimAction} SimAction */
/** @typedef {import('./state.js').ActionOutcome} ActionOutcome */
/** @typedef {import('./state.js').ActionStatus} ActionStatus */
/** @typedef {import('./state.js').ActionDuration} ActionDuration */
/** @typedef {import('./state.js').SimHolderChange} SimHolderChange */
/** @typedef {import('./droplets.js').SimDroplet} SimDroplet */
/** @typedef {import('./ips.js').SimIp} SimIp */
/** @typedef {import('./ips.js').SimRelease} SimRelease */
/** @typedef {import('./ips.js').SimCreate} SimCreate */
/** @typedef {import('./history.js').SimPastAction} SimPastAction */
/** @typedef {import('./domains.js').SimRecord} SimRecord */
/** @typedef {import('./scopes.js').SimScope} SimScope */
/** @typedef {import('./faults.js').Fault} Fault */
/** @typedef {import('./faults.js').RequestFilter} RequestFilter */
/** @typedef {import('./others.js').SimOtherMove} SimOtherMove */
/** @typedef {import('./others.js').OtherActionOptions} OtherActionOptions */
/** @typedef {import('./server.js').SimRequest} SimRequest */
/** @typedef {import('./server.js').SimStats} SimStats */
/** @typedef {import('./rate-limit.js').RateLimitOptions} RateLimitOptions */
/** @typedef {import('./service-config.js').SimServicePatch} SimServicePatch */
/** @typedef {import('./service-config.js').SimService} SimService */
/** @typedef {import('./services.js').SimRouting} SimRouting */
/** @typedef {import('./services.js').ProbeRequest} ProbeRequest */
/** @typedef {import('./services.js').ProbeFilter} ProbeFilter */

/**
 * @typedef {object} SimulatorOptions
 * @property {number} [port] Default 0: an ephemeral port.
 * @property {string} [host] Default '127.0.0.1'.
 * @property {string} [token] Default 'sim-token'. Requests without `Authorization: Bearer <token>` get 401.
 * @property {ActionDuration} [actionDurationMs] How long actions take. Default 300 ms. Infinity: actions
 *   stay in progress until finishActions().
 * @property {boolean} [validate] Check every request and response against the OpenAPI description. Default true.
 * @property {RateLimitOptions} [rateLimit]
 * @property {number} [maxIps] Reserved IPs per family; creating more answers 422. Default Infinity.
 * @property {number} [readLagMs] For this long after an IP is created through the API, GET of it answers 404. Default 0.
 * @property {boolean} [ipv6WithoutWrapper] GET /v2/reserved_ipv6/{ip} answers the bare object, without
 *   the reserved_ipv6 key. Default false.
 * @property {boolean} [createWithoutActionLinks] POST /v2/reserved_ips with a droplet answers without
 *   links to the assign action. Default false.
 * @property {number} [pageDefault] Page size when per_page is not given. Default 20.
 * @property {number} [routingDelayMs] How long after an assign or unassign completes (or assignNow) the
 *   address keeps routing to the droplet that held it, before the web service behind it is the new
 *   holder's. Default 300 ms; 0 switches at once.
 * @property {'repeat' | 'empty'} [endlessPages] Lists never end: every page has `links.pages.next`.
 *   'repeat': a page past the end repeats the last page's items; 'empty': it has none. meta.total stays
 *   the true count. Default: lists end.
 * @property {boolean} [omitTotal] Lists answer `meta: {}` without the (documented, required) total. Not
 *   counted as a violation.
 * @property {boolean} [actionsNewestFirst] GET /v2/reserved_ips/{ip}/actions lists the newest action
 *   first. Default false: the oldest first (DigitalOcean documents no order).
 * @property {SimClock} [clock] The clock of action durations, locks, busy droplets, read lags, rate
 *   windows, routing delays and timestamps (default Date.now), e.g. scaledClock(100): a test then gives
 *   every duration as DigitalOcean's and runs it 100 times faster. On a test's clock no timers run: an
 *   action whose time has come completes at the next request or inspection (every one completes due
 *   actions first). SimRequest.at and SimAction times are then that clock's ms since the simulator started.
 */

/**
 * Adds the members of `more` (getters as getters) to `base`.
 * @template A, B
 * @param {A} base
 * @param {B} more
 * @returns {A & B}
 */
function extend(base, more) {
  return /** @type {A & B} */ (Object.defineProperties(base, Object.getOwnPropertyDescriptors(more)))
}

/**
 * Starts a simulator on a loopback port, and the droplets' web service on another.
 * @param {SimulatorOptions} [options]
 */
export async function startSimulator(options = {}) {
  const state = createState(options)
  const api = await listenApi(state, options.port ?? 0)
  await state.services.listen().catch((error) => {
    void api.close()
    throw error
  })
  const hostInUrl = state.host.includes(':') ? `[${state.host}]` : state.host
  state.url = `http://${hostInUrl}:${api.port}`
  const base = {
    /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
    url: state.url,
    port: api.port,
    token: state.token,
    /** performance.now() when the simulator started; SimRequest.at and SimAction times count from it. */
    timeOrigin: state.time.timeOrigin,
    /** Stops the servers, destroying open (also hung) connections. */
    close() {
      if (state.closed) return Promise.resolve()
      state.closed = true
      for (const action of state.inProgress) if (action.timer) clearTimeout(action.timer)
      return Promise.all([api.close(), state.services.close()]).then(() => undefined)
    }
  }
  const withRequests = extend(extend(base, requestApi(state)), faultApi(state))
  const withResources = extend(extend(extend(withRequests, ipApi(state)), actionApi(state)), dropletApi(state))
  const withOthers = extend(extend(withResources, otherApi(state)), historyApi(state))
  return extend(extend(extend(withOthers, domainApi(state)), scopeApi(state)), state.services.publicApi())
}

/** @typedef {Awaited<ReturnType<typeof startSimulator>>} Simulator */
