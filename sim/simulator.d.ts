/** A stateful loopback simulator of the DigitalOcean reserved IP, action and droplet endpoints. */

export type IpVersion = 4 | 6

export type ActionOutcome = 'completed' | 'errored' | 'done' | 'missing'

export type ActionStatus = 'in-progress' | 'completed' | 'errored' | 'done'

export interface SimAction {
  id: number
  type: 'assign_ip' | 'unassign_ip'
  status: ActionStatus
  /** 'reserved_ip', 'floating_ip' (when made through /v2/floating_ips) or 'reserved_ipv6'. */
  resourceType: 'reserved_ip' | 'floating_ip' | 'reserved_ipv6'
  ip: string
  /** The droplet assigned to (assign_ip) or detached from (unassign_ip). */
  dropletId: number
  /** Milliseconds after the simulator's timeOrigin (the same clock as SimRequest.at). */
  startedAt: number
  /** When the action ended (ms after timeOrigin); null while in progress. */
  completedAt: number | null
  /**
   * Who started it: 'api', a request to the simulator's API (the client under test); 'other', another
   * client of the account (startOtherAction, an 'other-move' fault).
   */
  by: 'api' | 'other'
  /** The index in `requests` of the request that started it; undefined for another client's. */
  request?: number
}

export type ActionDuration = number | ((action: SimAction) => number)

/**
 * An enforced limit, account-wide (over every client), as DigitalOcean's: a request over either
 * limit answers 429 with retry-after (seconds until there is room). Every answer carries the hourly
 * budget: ratelimit-limit (perHour), ratelimit-remaining (left in the last hour, all clients) and
 * ratelimit-reset (epoch seconds when the oldest request in it expires). The per-minute limit is
 * not announced in any header.
 */
export interface RateLimitOptions {
  /** Accepted requests in a sliding 60 s window. */
  perMinute: number
  /** Accepted requests in a sliding hour. Default 5000. */
  perHour?: number
  /** Speeds time up: the window lasts 60 s / timeScale, the hour 3600 s / timeScale. Default 1. */
  timeScale?: number
}

export interface SimulatorOptions {
  /** Default 0: an ephemeral port. */
  port?: number
  /** Default '127.0.0.1'. */
  host?: string
  /** Default 'sim-token'. Requests without `Authorization: Bearer <token>` get 401. */
  token?: string
  /** How long actions take. Default 300 ms. Infinity: actions stay in progress until finishActions(). */
  actionDurationMs?: ActionDuration
  /** Check every request and response against the OpenAPI description. Default true. */
  validate?: boolean
  rateLimit?: RateLimitOptions
  /** Reserved IPs per family; creating more answers 422. Default Infinity. */
  maxIps?: number
  /** For this long after an IP is created through the API, GET of it answers 404. Default 0. */
  readLagMs?: number
  /** GET /v2/reserved_ipv6/{ip} answers the bare object, without the reserved_ipv6 key. Default false. */
  ipv6WithoutWrapper?: boolean
  /** POST /v2/reserved_ips with a droplet answers without links to the assign action. Default false. */
  createWithoutActionLinks?: boolean
  /** Page size when per_page is not given. Default 20. */
  pageDefault?: number
  /**
   * How long after an assign or unassign completes (or assignNow) the address keeps routing to the droplet
   * that held it, before the web service behind it is the new holder's. Default 300 ms; 0 switches at once.
   */
  routingDelayMs?: number
  /**
   * Lists never end: every page has `links.pages.next`. 'repeat': a page past the end repeats the last
   * page's items; 'empty': it has none. meta.total stays the true count. Default: lists end.
   */
  endlessPages?: 'repeat' | 'empty'
  /** Lists answer `meta: {}` without the (documented, required) total. Not counted as a violation. */
  omitTotal?: boolean
  /**
   * GET /v2/reserved_ips/{ip}/actions lists the newest action first. Default false: the oldest first
   * (DigitalOcean documents no order). Either way `pageDefault` actions a page.
   */
  actionsNewestFirst?: boolean
  /**
   * The clock of action durations, locks, busy droplets, read lags, rate windows, routing delays and
   * timestamps (default Date.now), e.g. scaledClock(100): a test then gives every duration as
   * DigitalOcean's and runs it 100 times faster. On a test's clock no timers run: an action whose
   * time has come completes at the next request or inspection (every one completes due actions first).
   * SimRequest.at and SimAction times are then that clock's ms since the simulator started.
   */
  clock?: SimClock
}

/** A past action of a reserved IPv4 (see addIp's history and addIpAction). */
export interface SimPastAction {
  /** Such as 'reserve_ip', 'assign_ip', 'unassign_ip'. */
  type: string
  /** Default 'completed'. */
  status?: 'completed' | 'errored'
  /** Epoch ms, a Date or ISO 8601 text. */
  completedAt: number | Date | string
  /** Default 3 s before completedAt. */
  startedAt?: number | Date | string
}

/** A token scope the simulator can take away (denyScope): requests that need it answer 403. */
export type SimScope =
  'domain:read' | 'reserved_ip:read' | 'reserved_ip:delete' | 'reserved_ip:update' | 'actions:read' | 'droplet:read'

/** A DNS record as addRecord takes it; `data` is kept as given (an address in any textual form). */
export interface SimRecord {
  /** 'A', 'AAAA', 'CNAME', 'TXT', 'MX', ... */
  type: string
  /** '@' (the default) for the zone's apex, else the host part (`www`). */
  name?: string
  data: string
  ttl?: number
  priority?: number
  port?: number
  weight?: number
}

export interface SimClock {
  /** Epoch ms. */
  now(): number
}

/** See scaledClock(). The shape of the action's Clock (src/context.ts), so one object can drive both. */
export interface ScaledClock extends SimClock {
  readonly scale: number
  /** Waits ms of this clock (ms / scale real ms); resolves at once when the signal is or becomes aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** ms: a schedule on this clock needs no further scaling. */
  scaled(ms: number): number
}

export interface SimDroplet {
  id: number
  name: string
  region: string
  tags: string[]
  /** A GPU droplet: GET /v2/droplets lists it only with type=gpus (and then only GPU droplets). */
  gpu: boolean
  /** IPv6 enabled: `features` lists 'ipv6', `networks.v6` its public IPv6, and it may hold reserved IPv6. */
  ipv6: boolean
  /** The droplet's own public IPv4 (networks.v4, type public), in 198.18.0.0/15. */
  publicIpv4: string
  /** Its VPC address (networks.v4, type private), in 10.108.0.0/14. */
  privateIpv4: string
  /** Its own public IPv6 (networks.v6), in 2001:db8:d0::/64; null without IPv6. */
  publicIpv6: string | null
}

export interface SimIp {
  /** Canonical text (IPv6 lower case, compressed). */
  ip: string
  version: IpVersion
  region: string
  dropletId: number | null
  /** Busy with an in-progress action or a lock(). */
  locked: boolean
  projectId: string
}

export interface SimRequest {
  method: string
  /** Percent-decoded path, without the query string. */
  path: string
  /** The path as sent. */
  rawPath: string
  query: Record<string, string>
  /** Parsed JSON body; the raw text when it was not JSON; undefined when empty. */
  body: unknown
  /** Status answered; 0 when no answer was sent (dropped or hung connection). */
  status: number
  /** Milliseconds after the simulator's timeOrigin, when the request arrived. */
  at: number
  /** Whether the request carried the right bearer token (the token itself is never stored). */
  authorization: boolean
  /** The kind of the injected fault that hit this request, if any. */
  injected?: Fault['kind']
  /**
   * Its place in one sequence with holder changes (SimHolderChange.seq), given once the request is
   * decided (after its events and onRequest hooks, before its answer): its answer shows every
   * change with a lower number. Undefined until then.
   */
  seq?: number
}

/** A change of the droplet that holds a reserved IP. */
export interface SimHolderChange {
  ip: string
  from: number | null
  to: number | null
  /** Ms after timeOrigin: an action's end, or the moment of assignNow. */
  at: number
  /** See SimRequest.seq. */
  seq: number
  /** 'api': an action a request to the API started; 'other': another client's action, assignNow or an 'other-move'. */
  by: 'api' | 'other'
  /** The action that made the change; undefined for assignNow and instant 'other-move's. */
  actionId?: number
}

/** A move another client asked for (startOtherAction, assignNow, an 'other-move' fault). */
export interface SimOtherMove {
  /** Ms after timeOrigin. */
  at: number
  ip: string
  dropletId: number | null
  /** true: applied at once (assignNow); false: an action of its own. */
  instant: boolean
  actionId?: number
  /** Why it did not happen (DigitalOcean's 422, or an IP or droplet that is not there). */
  refused?: string
}

export interface OtherActionOptions {
  /** Default: the simulator's action duration (actionDurationMs, setActionDuration). */
  durationMs?: number
  /** Default 'completed' (or what setActionOutcome decides). */
  outcome?: ActionOutcome
}

export interface RequestFilter {
  method?: string
  /** Exact path (decoded or as sent), or a pattern tested against it. */
  path?: string | RegExp
}

interface FaultMatch extends RequestFilter {
  /** How many matching requests the fault hits. Default 1. */
  times?: number
  /**
   * How many matching requests pass before it hits (default 0): skip 2 hits the third. They are
   * counted whether or not another fault hits them, so each fault's count is of the requests alone.
   */
  skip?: number
}

export type Fault =
  | (FaultMatch & {
      kind: 'status'
      status: number
      headers?: Record<string, string>
      /** DigitalOcean's error id, message and request_id in the body (any text). */
      id?: string
      message?: string
      requestId?: string
    })
  | (FaultMatch & { kind: 'rate-limit'; resetInMs?: number; retryAfter?: number })
  | (FaultMatch & { kind: 'drop-before' })
  | (FaultMatch & { kind: 'drop-after' })
  | (FaultMatch & { kind: 'hang' })
  /** The request takes effect, then it is never answered (close() destroys the connection). */
  | (FaultMatch & { kind: 'hang-after' })
  | (FaultMatch & { kind: 'pending-event' })
  | (FaultMatch & { kind: 'not-found' })
  /**
   * The request takes effect, then the answer's JSON is cut off half-way (same status unless `status`
   * is given; content-length matches the cut body). Not counted as a violation.
   */
  | (FaultMatch & { kind: 'cut-body'; status?: number })
  /** The request takes effect, then the answer is `status` (default 200) with an empty body. */
  | (FaultMatch & { kind: 'empty-body'; status?: number })
  /** The request takes effect, then the answer is an HTML page (or `text`), text/html, same status unless given. */
  | (FaultMatch & { kind: 'not-json'; status?: number; text?: string })
  /**
   * No fault of the answer: when a matching request arrives (before onRequest hooks, before it is
   * answered), another client moves `ip` to `dropletId` (null: detaches it), at once as assignNow
   * does when durationMs is left out, else by an action of its own (by 'other') that takes durationMs
   * and is refused as DigitalOcean would refuse it (the IP or droplet busy: see otherMoves()). The
   * request itself goes on, and another fault may still hit it.
   */
  | (FaultMatch & {
      kind: 'other-move'
      ip: string
      dropletId: number | null
      durationMs?: number
      outcome?: ActionOutcome
    })

export interface SimStats {
  requests: number
  /** Requests per route, e.g. 'GET /v2/reserved_ips/{reserved_ip}'. */
  byRoute: Record<string, number>
  /** GET /v2/actions/{id} requests. */
  polls: number
  rateLimited: number
}

export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string
  readonly port: number
  readonly token: string
  /** performance.now() when the simulator started; SimRequest.at and SimAction times count from it. */
  readonly timeOrigin: number

  // ------------------------------------------------ the droplets' web service behind each reserved IP
  /**
   * Base URL of the second loopback server that stands in for the droplets' web service, e.g.
   * http://127.0.0.1:41235. `GET /<ip>/<path>` (IPv4 plain, IPv6 bracketed or bare, brackets literal or
   * as %5B…%5D) is answered as the droplet the reserved IP routes to at that moment would answer it:
   * 200 healthy, 503 unhealthy, the service's `status`, 302 with `redirect`, no answer with `hang`;
   * 502 `no droplet holds <ip>` when it routes to no droplet; 404 when the address is not reserved;
   * 400 when the segment is no IP address; 405 for methods other than GET and HEAD.
   * A droplet's own public IPv4, private IPv4 or public IPv6 is answered by that droplet at once (a precheck).
   * Bodies are text/plain, e.g. `ok build=<build> droplet=<id> name=<name>`.
   */
  readonly serviceUrl: string
  /** `${serviceUrl}/{ip}/healthz`: a verify_url template; `{ip}` is replaced by the address in URL-host form. */
  readonly verifyUrl: string
  /** The current routing delay (see SimulatorOptions.routingDelayMs). */
  readonly routingDelayMs: number
  /** Changes the routing delay for holder changes from now on; switches already scheduled keep their time. */
  setRoutingDelay(ms: number): void
  /**
   * Where the address routes now, the API's holder, and the switches still to come; undefined when the
   * address is not reserved. Completes due actions first, as every read does.
   */
  routing(ip: string): SimRouting | undefined
  /**
   * Applies the scheduled switches of the address (every address when omitted) at once, so that it routes to
   * its current holder. In-progress actions are not completed by it. Throws when the address is not reserved.
   */
  routeNow(ip?: string): void
  /** Changes a droplet's service; null clears status, redirect or build (back to the default). */
  setService(dropletId: number, patch: SimServicePatch): SimService
  service(dropletId: number): SimService
  /** Every request the service server received, in order (live array). Not API requests: not in `requests`. */
  readonly probes: ProbeRequest[]
  /** The probes, optionally only those to one address (any textual form), with one method or target. */
  probeRequests(filter?: ProbeFilter): ProbeRequest[]
  /**
   * Calls hook with each probe as it arrives, before it is answered (a service change the hook makes,
   * e.g. setService, shows in that answer; `ip` is set, `status`, `dropletId` and `target` not yet).
   * Returns a function that removes the hook. The probes' counterpart of onRequest.
   */
  onProbe(hook: (probe: ProbeRequest) => void): () => void
  /**
   * Any non-empty name is taken as it is (newlines, '::', HTML). `anyRegion` accepts any non-empty
   * region text instead of a slug; `gpu` makes a GPU droplet. `ipv6` (default true): IPv6 enabled.
   * Each droplet gets its own public and private IPv4 (and public IPv6) in `networks`; the service
   * server answers them as this droplet.
   */
  addDroplet(droplet: {
    id?: number
    name: string
    region?: string
    tags?: string[]
    service?: SimServicePatch
    gpu?: boolean
    anyRegion?: boolean
    ipv6?: boolean
  }): SimDroplet
  droplets(): SimDroplet[]
  /**
   * Adds a reserved IP directly (no quota, no read lag); the region defaults to the droplet's, else nyc3.
   * Throws where DigitalOcean would refuse the assignment (see holding limits on assign), as assignNow does.
   */
  addIp(ip?: {
    ip?: string
    version?: IpVersion
    region?: string
    dropletId?: number | null
    projectId?: string
    /** Accept any non-empty region text (a droplet's region is accepted as it is). */
    anyRegion?: boolean
    /** IPv6: its reserved_at (epoch ms, a Date or ISO 8601 text). Default: when it was added. */
    reservedAt?: number | Date | string
    /**
     * IPv4: past actions, listed by GET /v2/reserved_ips/{ip}/actions before any started through the
     * simulator, in the order of their completedAt. Default: none.
     */
    history?: SimPastAction[]
  }): SimIp
  /** Any textual form of the address is accepted. */
  getIp(ip: string): SimIp | undefined
  /**
   * Sets the IP's droplet at once, as another client's finished action would (null detaches it). Throws
   * when DigitalOcean would refuse it: a second reserved IPv4 on a droplet, a reserved IPv6 on a droplet
   * without IPv6. (POST .../actions assign answers those with 422, as does a create onto such a droplet.)
   * The change is by 'other' (see holderChanges).
   */
  assignNow(ip: string, dropletId: number | null): SimIp
  /**
   * Starts an assign (dropletId) or unassign (null) action as another client of the account would
   * (by 'other'): it locks the IP as any action does. Throws when DigitalOcean would refuse it (422).
   */
  startOtherAction(ip: string, dropletId: number | null, options?: OtherActionOptions): SimAction
  /** Every change of holder so far (of one address, when given), in order. Completes due actions first. */
  holderChanges(ip?: string): SimHolderChange[]
  /** The moves other clients asked for, in order, with those that were refused. */
  otherMoves(): SimOtherMove[]
  /** Removes the IP at once, as another client's delete would; false when it was not there. */
  removeIp(ip: string): boolean
  ips(): SimIp[]
  actions(): SimAction[]
  readonly requests: SimRequest[]
  countRequests(filter?: RequestFilter): number
  /** POST, DELETE (and PUT, PATCH) requests. */
  mutatingRequests(): SimRequest[]
  /**
   * Calls hook with each request as it arrives, before it is answered (state changes the hook makes,
   * e.g. assignNow or removeIp, show in the answer). Returns a function that removes the hook.
   */
  onRequest(hook: (request: SimRequest) => void): () => void
  /** OpenAPI problems with requests received and responses sent. */
  readonly violations: string[]
  /** 429 answers sent. */
  readonly rateLimited: number
  inject(fault: Fault): void
  clearFaults(): void
  /** Makes the IP busy with someone else's action for ms: actions on it and its deletion answer 422. */
  lock(ip: string, ms: number): void
  /** Actions targeting the droplet answer 422 'Droplet already has a pending event.' for ms. */
  setDropletBusy(id: number, ms: number): void
  /** Decides how the actions started from now on end; undefined restores 'completed'. */
  setActionOutcome(fn: ((action: SimAction) => ActionOutcome | undefined) | undefined | null): void
  /** As actionDurationMs, for actions started from now on (Infinity holds them until finishActions()). */
  setActionDuration(msOrFn: ActionDuration): void
  /**
   * Ends in-progress actions now (the one with this id, or all), each with its outcome, as if its
   * time had come. With held actions (duration Infinity) a test decides the moment an action ends,
   * e.g. from an onRequest hook. Returns how many actions it ended.
   */
  finishActions(id?: number): number
  /** Ends a lock() now (lock(ip, Infinity) holds the IP busy until unlock). Actions in progress still lock it. */
  unlock(ip: string): void
  /** Ends a setDropletBusy() now (setDropletBusy(id, Infinity) keeps it busy until then). */
  setDropletIdle(id: number): void
  stats(): SimStats

  // ------------------------------------------------ DNS zones, action history and scopes (prune's guards)
  /** Adds a DNS zone (GET /v2/domains lists it). Names are kept lower case. */
  addDomain(name: string, options?: { ttl?: number }): { name: string }
  /** Adds a record to a zone (GET /v2/domains/{name}/records lists it); returns its id. */
  addRecord(domain: string, record: SimRecord): { id: number }
  removeRecord(domain: string, id: number): boolean
  removeDomain(name: string): boolean
  /** Adds a past action to a reserved IPv4's history, after those it has (give them in time order). */
  addIpAction(ip: string, action: SimPastAction): void
  /** From now on every request that needs this scope answers 403, as for a token without it. */
  denyScope(scope: SimScope): void
  allowScope(scope: SimScope): void
  /** Stops the server, destroying open (also hung) connections. */
  close(): Promise<void>
}

/** Changes to a droplet's web service; a field left out keeps its value. */
export interface SimServicePatch {
  /** Default true: 200. false: 503. */
  healthy?: boolean
  /** Named in every body. Default `build-<droplet name>`; null restores it. */
  build?: string | null
  /** Answer this status (200-599) instead, with the build in the body; null clears it. */
  status?: number | null
  /** Read the request and never answer it (close() destroys the socket). Default false. */
  hang?: boolean
  /** Answer 302 with this Location (before any other answer but hang); null clears it. */
  redirect?: string | null
  /**
   * Default true. false: the droplet has not added reserved IPv6 addresses to its interface: a probe of a
   * reserved IPv6 routed to it gets no answer (the connection is closed); its own addresses still answer.
   */
  ipv6Configured?: boolean
}

export interface SimService {
  dropletId: number
  healthy: boolean
  build: string
  status: number | null
  hang: boolean
  redirect: string | null
  ipv6Configured: boolean
}

export interface SimRouting {
  /** Canonical address. */
  ip: string
  /** The droplet its web traffic reaches now; null when none. */
  dropletId: number | null
  /** The droplet the API shows as holder. */
  holder: number | null
  /** Switches still to come, in order; `at` is ms after timeOrigin (the clock of SimAction.completedAt). */
  pending: { dropletId: number | null; at: number }[]
}

export interface ProbeRequest {
  /** Ms after timeOrigin, when the request arrived. */
  at: number
  /** Canonical address from the first path segment; the segment as sent when it is no address. */
  ip: string
  /** The rest of the path with the query, e.g. '/healthz'; '/' when empty. */
  path: string
  method: string
  /** As received; names lower case. */
  headers: Record<string, string | string[] | undefined>
  /** Status answered; 0 when none was (hang, or the socket closed first). */
  status: number
  /** The droplet that answered; null when none did (400, 404, 502). */
  dropletId: number | null
  /** 'droplet': the address is a droplet's own (public or private), answered by it; else 'reserved'. */
  target: 'reserved' | 'droplet'
}

export interface ProbeFilter {
  ip?: string
  method?: string
  target?: 'reserved' | 'droplet'
}

export function startSimulator(options?: SimulatorOptions): Promise<Simulator>

/**
 * A clock running `scale` times faster than real time from `start` (epoch ms, default Date.now()),
 * for options.clock and for the action's clock option alike.
 */
export function scaledClock(scale: number, start?: number): ScaledClock

/** The canonical form and family of an IP address text, or undefined when it is none. */
export function canonicalIp(text: string): { ip: string; version: IpVersion } | undefined
