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
  /** How long actions take. Default 300 ms. */
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
}

export interface SimDroplet {
  id: number
  name: string
  region: string
  tags: string[]
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
}

export interface RequestFilter {
  method?: string
  /** Exact path (decoded or as sent), or a pattern tested against it. */
  path?: string | RegExp
}

interface FaultMatch extends RequestFilter {
  /** How many matching requests the fault hits. Default 1. */
  times?: number
}

export type Fault =
  | (FaultMatch & { kind: 'status'; status: number; headers?: Record<string, string>; id?: string; message?: string })
  | (FaultMatch & { kind: 'rate-limit'; resetInMs?: number; retryAfter?: number })
  | (FaultMatch & { kind: 'drop-before' })
  | (FaultMatch & { kind: 'drop-after' })
  | (FaultMatch & { kind: 'hang' })
  | (FaultMatch & { kind: 'pending-event' })
  | (FaultMatch & { kind: 'not-found' })

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
  addDroplet(droplet: { id?: number; name: string; region?: string; tags?: string[] }): SimDroplet
  droplets(): SimDroplet[]
  /** Adds a reserved IP directly (no quota, no read lag); the region defaults to the droplet's, else nyc3. */
  addIp(ip?: {
    ip?: string
    version?: IpVersion
    region?: string
    dropletId?: number | null
    projectId?: string
  }): SimIp
  /** Any textual form of the address is accepted. */
  getIp(ip: string): SimIp | undefined
  /** Sets the IP's droplet at once, as another client's finished action would (null detaches it). */
  assignNow(ip: string, dropletId: number | null): SimIp
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
  /** Actions targeting the droplet answer 422 pending event for ms. */
  setDropletBusy(id: number, ms: number): void
  /** Decides how the actions started from now on end; undefined restores 'completed'. */
  setActionOutcome(fn: ((action: SimAction) => ActionOutcome | undefined) | undefined | null): void
  setActionDuration(msOrFn: ActionDuration): void
  stats(): SimStats
  /** Stops the server, destroying open (also hung) connections. */
  close(): Promise<void>
}

export function startSimulator(options?: SimulatorOptions): Promise<Simulator>

/** The canonical form and family of an IP address text, or undefined when it is none. */
export function canonicalIp(text: string): { ip: string; version: IpVersion } | undefined
