/**
 * Input parsing and validation. Every input is judged here, before any request is sent; the first
 * problem found is thrown as an InputError that names the input.
 */
import { type Address, type IpVersion, parseAddress } from './address.js'
import { MovesError, parseMoves, type Move } from './moves.js'

export const OPERATIONS = ['assign', 'unassign', 'create', 'get', 'list', 'delete', 'prune', 'rollback'] as const
export type Operation = (typeof OPERATIONS)[number]

export type DropletSelector =
  | { readonly kind: 'id'; readonly id: number }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'tag'; readonly tag: string }

export interface Inputs {
  readonly token: string
  readonly operation: Operation
  /** The first (for most operations the only) address. */
  readonly ip?: Address
  /** assign/unassign: every address of the cutover, in the order given (ip is the first). */
  readonly ips: readonly Address[]
  readonly droplet?: DropletSelector
  readonly region?: string
  /** For create: the family to reserve. For list/prune: a filter (undefined = both). */
  readonly ipVersion?: IpVersion
  readonly projectId?: string
  readonly wait: boolean
  readonly timeoutMs: number
  readonly dryRun: boolean
  readonly keep: readonly Address[]
  /** prune: spare every address that an A or AAAA record of the account's DNS points at. */
  readonly keepDns: boolean
  /** prune: when more addresses would be released than this, none is. */
  readonly maxRelease: number
  /** prune: release only addresses idle at least this long (ms); undefined without unassigned_for. */
  readonly unassignedForMs?: number
  /** A droplet id, or null for "held by no droplet". */
  readonly expectedDropletId?: number | null
  readonly apiUrl: URL
  /** assign: probe these after the move (see verify.ts). */
  readonly verify?: VerifyInputs
  /** assign: probe the target droplet on its own addresses before anything moves (see precheck.ts). */
  readonly precheck?: PrecheckInputs
  readonly rollback: boolean
  /** rollback: what the earlier step moved, each to go back to `from` while still on `to`. */
  readonly moves: readonly Move[]
}

/** The rules every probe follows, before the move and after it. */
export interface ProbeRules {
  readonly contains?: string
  /** verify_host: the Host header and, over https, the TLS server name the certificate is checked against. */
  readonly host?: string
  readonly timeoutMs: number
}

export interface VerifyInputs extends ProbeRules {
  /** The URL with `{ip}` where each moved address goes. */
  readonly urlTemplate: string
  /** verify_for: how long every probe must go on passing after an address's first pass (0: the first pass is enough). */
  readonly forMs?: number
}

export interface PrecheckInputs extends ProbeRules {
  /** The URL with `{ip}` where the droplet's public address goes, `{private_ip}` where its VPC IPv4 goes. */
  readonly urlTemplate: string
}

export class InputError extends Error {
  constructor(
    readonly input: string,
    detail: string
  ) {
    super(`Input '${input}': ${detail}`)
    this.name = 'InputError'
  }
}

/** Reads one input by name; returns '' when it is not set. */
export type InputReader = (name: string) => string

const DEFAULT_API_URL = 'https://api.digitalocean.com'
const DEFAULT_TIMEOUT_SECONDS = 300
const MAX_TIMEOUT_SECONDS = 6 * 3600

const NEEDS_IP: ReadonlySet<Operation> = new Set(['assign', 'unassign', 'get', 'delete'])
const USES_DROPLET: ReadonlySet<Operation> = new Set(['assign', 'create'])
const USES_REGION: ReadonlySet<Operation> = new Set(['create', 'list', 'prune'])
const USES_EXPECTED: ReadonlySet<Operation> = new Set(['assign', 'unassign'])

const DROPLET_ID = /^[1-9][0-9]{0,15}$/
// Droplet names: letters, digits, dots, dashes and underscores (what DigitalOcean accepts as a hostname).
const DROPLET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/
// Tags: letters, digits, colons, dashes, dots and underscores, up to 255 characters.
const DROPLET_TAG = /^[A-Za-z0-9:._-]{1,255}$/
const REGION = /^[a-z]{2,10}[0-9]{0,3}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
// A bearer token is sent in a header: visible ASCII only, so nothing can be smuggled into the request.
const TOKEN = /^[\x21-\x7e]{1,512}$/

function parseBoolean(name: string, raw: string, fallback: boolean): boolean {
  if (raw === '') return fallback
  const v = raw.toLowerCase()
  if (v === 'true') return true
  if (v === 'false') return false
  throw new InputError(name, `must be true or false, got '${raw}'`)
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  const addr = parseAddress(host)
  if (!addr) return false
  return addr.version === 4 ? addr.text.startsWith('127.') : addr.text === '::1'
}

function parseApiUrl(raw: string): URL {
  const text = raw === '' ? DEFAULT_API_URL : raw
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new InputError('api_url', `'${text}' is not a URL`)
  }
  if (url.username !== '' || url.password !== '') {
    throw new InputError('api_url', 'must not contain credentials')
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InputError('api_url', 'must not contain a query or fragment')
  }
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) {
      throw new InputError(
        'api_url',
        `plain http is refused for '${url.hostname}': the token would travel unencrypted (only loopback hosts may use http)`
      )
    }
  } else if (url.protocol !== 'https:') {
    throw new InputError('api_url', `must be an https URL, got '${url.protocol}'`)
  }
  // Keep the base path without a trailing slash so "/v2/..." can be appended; a base written
  // with the API version (https://api.digitalocean.com/v2) means the same API.
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/v2$/, '')
  return url
}

function splitList(raw: string): string[] {
  return raw.split(/[\s,]+/).filter((s) => s !== '')
}

function parseDroplet(read: InputReader): DropletSelector | undefined {
  const id = read('droplet_id')
  const name = read('droplet_name')
  const tag = read('droplet_tag')
  const given = [id && 'droplet_id', name && 'droplet_name', tag && 'droplet_tag'].filter(Boolean)
  if (given.length > 1) {
    throw new InputError(
      given[1],
      `give only one of droplet_id, droplet_name, droplet_tag (got ${given.join(' and ')})`
    )
  }
  if (id !== '') {
    if (!DROPLET_ID.test(id) || !Number.isSafeInteger(Number(id))) {
      throw new InputError('droplet_id', `must be a positive integer, got '${id}'`)
    }
    return { kind: 'id', id: Number(id) }
  }
  if (name !== '') {
    if (!DROPLET_NAME.test(name)) {
      throw new InputError('droplet_name', `'${name}' is not a droplet name (letters, digits, '.', '-', '_')`)
    }
    return { kind: 'name', name }
  }
  if (tag !== '') {
    if (!DROPLET_TAG.test(tag)) {
      throw new InputError('droplet_tag', `'${tag}' is not a tag (letters, digits, ':', '.', '-', '_')`)
    }
    return { kind: 'tag', tag }
  }
  return undefined
}

/**
 * Reads and validates every input, in a fixed order (the first problem is the one reported).
 * `env` supplies the token fallbacks (DIGITALOCEAN_ACCESS_TOKEN, then DIGITALOCEAN_TOKEN).
 */
export function parseInputs(read: InputReader, env: Record<string, string | undefined>): Inputs {
  const get = (name: string): string => read(name).trim()
  const operation = parseOperation(get('operation'))
  const token = parseToken(get('token'), env)
  const apiUrl = parseApiUrl(get('api_url'))
  const ips = parseIps(get('ip'), operation)
  checkIpNeeded(ips[0], operation)
  const droplet = parseTarget(read, operation)
  const region = parseRegion(get('region'), operation, droplet)
  const ipVersion = parseIpVersion(get('ip_version'), operation, ips)
  const projectId = parseProjectId(get('project_id'), { operation, ipVersion, region, droplet })
  const wait = parseBoolean('wait', get('wait'), true)
  const timeoutMs = parseTimeout(get('timeout'))
  const dryRun = parseBoolean('dry_run', get('dry_run'), false)
  if (dryRun && operation !== 'prune') {
    throw new InputError('dry_run', `applies to prune only; operation '${operation}' has no dry run`)
  }
  const keep = parseKeep(read('keep'), operation)
  const pruneGuards = parsePruneGuards(get, operation)
  const expectedDropletId = parseExpected(get('expected_droplet_id'), operation)
  const { verify, precheck } = parseProbing(get, operation, wait, ips.length)
  const rollback = parseBoolean('rollback', get('rollback'), true)
  const moves = parseMovesInput(read('moves'), operation)
  return {
    token,
    operation,
    ip: ips[0],
    ips,
    droplet,
    region,
    ipVersion,
    projectId,
    wait,
    timeoutMs,
    dryRun,
    keep,
    ...pruneGuards,
    expectedDropletId,
    apiUrl,
    verify,
    precheck,
    rollback,
    moves
  }
}

/** moves: rollback's only input, refused elsewhere. */
function parseMovesInput(raw: string, operation: Operation): Move[] {
  if (operation !== 'rollback') {
    if (raw.trim() !== '')
      throw new InputError('moves', `applies to rollback only; remove it from operation '${operation}'`)
    return []
  }
  let moves: Move[]
  try {
    moves = parseMoves(raw)
  } catch (error) {
    if (error instanceof MovesError) throw new InputError('moves', error.message)
    throw error
  }
  if (moves.length > MAX_ADDRESSES) {
    throw new InputError('moves', `at most ${MAX_ADDRESSES} addresses in one step, got ${moves.length}`)
  }
  return moves
}

function parseOperation(raw: string): Operation {
  const op = raw.toLowerCase() || 'assign'
  if (!(OPERATIONS as readonly string[]).includes(op)) {
    throw new InputError('operation', `unknown operation '${op}'; use one of ${OPERATIONS.join(', ')}`)
  }
  return op as Operation
}

function parseToken(raw: string, env: Record<string, string | undefined>): string {
  const token = raw || env.DIGITALOCEAN_ACCESS_TOKEN?.trim() || env.DIGITALOCEAN_TOKEN?.trim() || ''
  if (token === '') {
    throw new InputError(
      'token',
      'no DigitalOcean API token: set the token input, or the environment variable DIGITALOCEAN_ACCESS_TOKEN (or DIGITALOCEAN_TOKEN)'
    )
  }
  if (!TOKEN.test(token)) {
    throw new InputError('token', 'contains characters that cannot be sent in an Authorization header')
  }
  return token
}

function checkIpNeeded(ip: Address | undefined, operation: Operation): void {
  if (NEEDS_IP.has(operation) && !ip) {
    throw new InputError('ip', `operation '${operation}' needs the address to act on`)
  }
  if (ip && !NEEDS_IP.has(operation)) {
    throw new InputError('ip', `is not used by operation '${operation}'; remove it`)
  }
}

/** droplet_id, droplet_name or droplet_tag, where the operation takes one (assign needs one). */
function parseTarget(read: InputReader, operation: Operation): DropletSelector | undefined {
  const droplet = parseDroplet(read)
  if (droplet && !USES_DROPLET.has(operation)) {
    const name = droplet.kind === 'id' ? 'droplet_id' : `droplet_${droplet.kind}`
    const hint = operation === 'unassign' ? ' (to guard an unassign, use expected_droplet_id)' : ''
    throw new InputError(name, `is not used by operation '${operation}'${hint}; remove it`)
  }
  if (operation === 'assign' && !droplet) {
    throw new InputError('droplet_id', "operation 'assign' needs a target: droplet_id, droplet_name or droplet_tag")
  }
  return droplet
}

function parseRegion(raw: string, operation: Operation, droplet: DropletSelector | undefined): string | undefined {
  const region = raw.toLowerCase()
  if (region !== '') {
    if (!REGION.test(region)) {
      throw new InputError('region', `'${region}' is not a region slug (like nyc3)`)
    }
    if (!USES_REGION.has(operation)) {
      throw new InputError('region', `is not used by operation '${operation}' (only create, list and prune); remove it`)
    }
  }
  if (operation === 'create' && region === '' && !droplet) {
    throw new InputError(
      'region',
      "operation 'create' needs a region or a droplet (droplet_id, droplet_name, droplet_tag)"
    )
  }
  return region === '' ? undefined : region
}

function parseIpVersion(raw: string, operation: Operation, ips: readonly Address[]): IpVersion | undefined {
  const versionRaw = raw.toLowerCase()
  let ipVersion: IpVersion | undefined
  if (versionRaw === '4' || versionRaw === '6') {
    ipVersion = Number(versionRaw) as IpVersion
  } else if (versionRaw === 'all') {
    // 'all' is the default everywhere but create: with an ip, the address picks the family.
    if (operation === 'create') {
      throw new InputError('ip_version', "create reserves one address: use 4 or 6, not 'all'")
    }
  } else if (versionRaw !== '') {
    throw new InputError('ip_version', `must be 4, 6 or all, got '${versionRaw}'`)
  }
  const otherFamily = ips.find((a) => ipVersion !== undefined && a.version !== ipVersion)
  if (otherFamily) {
    throw new InputError(
      'ip_version',
      `is ${ipVersion} but ip ${otherFamily.text} is an IPv${otherFamily.version} address`
    )
  }
  return operation === 'create' && !ipVersion ? 4 : ipVersion
}

interface CreateShape {
  readonly operation: Operation
  readonly ipVersion?: IpVersion
  readonly region?: string
  readonly droplet?: DropletSelector
}

function parseProjectId(raw: string, shape: CreateShape): string | undefined {
  const projectId = raw.toLowerCase()
  if (projectId === '') return undefined
  if (!UUID.test(projectId)) {
    throw new InputError('project_id', `'${projectId}' is not a project UUID`)
  }
  if (shape.operation !== 'create' || shape.ipVersion !== 4 || !shape.region || shape.droplet) {
    throw new InputError('project_id', 'applies only to create of an IPv4 address in a region (without a droplet)')
  }
  return projectId
}

/** timeout, in ms. */
function parseTimeout(raw: string): number {
  return parseDuration('timeout', raw, {
    fallbackMs: DEFAULT_TIMEOUT_SECONDS * 1000,
    minMs: 1000,
    maxMs: MAX_TIMEOUT_SECONDS * 1000
  })
}

function parseKeep(raw: string, operation: Operation): Address[] {
  const keep: Address[] = []
  for (const item of splitList(raw)) {
    const addr = parseAddress(item)
    if (!addr) throw new InputError('keep', `'${item}' is not an IPv4 or IPv6 address`)
    keep.push(addr)
  }
  if (keep.length > 0 && operation !== 'prune') {
    throw new InputError('keep', `applies to prune only; remove it from operation '${operation}'`)
  }
  return keep
}

/** expected_droplet_id: a droplet id, or null for 'none' (held by no droplet). */
function parseExpected(raw: string, operation: Operation): number | null | undefined {
  const expected = raw.toLowerCase()
  if (expected === '') return undefined
  let id: number | null
  if (expected === 'none') {
    id = null
  } else if (DROPLET_ID.test(expected) && Number.isSafeInteger(Number(expected))) {
    id = Number(expected)
  } else {
    throw new InputError('expected_droplet_id', `must be a positive integer or 'none', got '${expected}'`)
  }
  if (!USES_EXPECTED.has(operation)) {
    throw new InputError('expected_droplet_id', `applies to assign and unassign only, not '${operation}'`)
  }
  return id
}

/** Most addresses one cutover takes: each is its own action, and all share the rate limit. */
const MAX_ADDRESSES = 20
const MULTI_IP: ReadonlySet<Operation> = new Set(['assign', 'unassign'])

/** The ip input: one address, or for assign/unassign several (newlines, commas or spaces between them). */
function parseIps(raw: string, operation: Operation): Address[] {
  const items = splitList(raw)
  if (items.length > 1 && !MULTI_IP.has(operation)) {
    throw new InputError('ip', `operation '${operation}' takes one address, got ${items.length}`)
  }
  if (items.length > MAX_ADDRESSES) {
    throw new InputError('ip', `at most ${MAX_ADDRESSES} addresses in one step, got ${items.length}`)
  }
  const out: Address[] = []
  for (const item of items) {
    const addr = parseAddress(item)
    if (!addr) {
      throw new InputError('ip', `'${item}' is not an IPv4 or IPv6 address (no CIDR, port, brackets or path)`)
    }
    if (out.some((a) => a.text === addr.text)) {
      throw new InputError('ip', `${addr.text} is given twice`)
    }
    out.push(addr)
  }
  if (operation === 'assign') checkOneIpv4(out)
  return out
}

/** DigitalOcean lets a droplet hold one reserved IPv4 at a time: one assign cannot give it two. */
function checkOneIpv4(addrs: readonly Address[]): void {
  const v4 = addrs.filter((a) => a.version === 4)
  if (v4.length > 1) {
    throw new InputError(
      'ip',
      `${v4.map((a) => a.text).join(' and ')} are all IPv4, but a droplet can hold only one reserved IPv4 at a time (DigitalOcean refuses a second): give one IPv4, with IPv6 addresses beside it if you like`
    )
  }
}

const DEFAULT_VERIFY_TIMEOUT_SECONDS = 60
const MAX_VERIFY_TIMEOUT_SECONDS = 3600

/** precheck_url and verify_url, with the rules their probes share. */
function parseProbing(
  get: (name: string) => string,
  operation: Operation,
  wait: boolean,
  addresses: number
): { verify?: VerifyInputs; precheck?: PrecheckInputs } {
  const verifyUrl = get('verify_url')
  const precheckUrl = get('precheck_url')
  const forMs = parseVerifyFor(get('verify_for'), verifyUrl !== '')
  const rules = parseProbeRules(get, verifyUrl !== '' || precheckUrl !== '')
  if (!rules) return {}
  if (verifyUrl !== '') {
    if (operation !== 'assign') throw new InputError('verify_url', `applies to assign only, not '${operation}'`)
    if (!wait) throw new InputError('verify_url', 'needs wait: true (the probes run after the move has finished)')
    checkProbeUrl('verify_url', verifyUrl, {})
    checkEachProbed('verify_url', verifyUrl, addresses)
  }
  if (precheckUrl !== '') {
    if (operation !== 'assign') throw new InputError('precheck_url', `applies to assign only, not '${operation}'`)
    checkProbeUrl('precheck_url', precheckUrl, { '{private_ip}': '10.0.0.1' })
    checkEachProbed('precheck_url', precheckUrl, addresses)
  }
  return {
    verify: verifyUrl === '' ? undefined : { ...rules, urlTemplate: verifyUrl, forMs },
    precheck: precheckUrl === '' ? undefined : { ...rules, urlTemplate: precheckUrl }
  }
}

/** verify_contains, verify_host and verify_timeout: undefined (and refused when given) without a URL to probe. */
function parseProbeRules(get: (name: string) => string, probing: boolean): ProbeRules | undefined {
  const contains = get('verify_contains')
  const host = get('verify_host').toLowerCase()
  const timeoutRaw = get('verify_timeout')
  if (!probing) {
    const given = [contains !== '' && 'verify_contains', host !== '' && 'verify_host'].find(Boolean)
    if (given) throw new InputError(given, 'applies only with verify_url or precheck_url')
    if (timeoutRaw !== '' && parseVerifyTimeout(timeoutRaw) !== DEFAULT_VERIFY_TIMEOUT_SECONDS * 1000) {
      throw new InputError('verify_timeout', 'applies only with verify_url or precheck_url')
    }
    return undefined
  }
  if (host !== '') checkVerifyHost(host)
  return {
    contains: contains === '' ? undefined : contains,
    host: host === '' ? undefined : host,
    timeoutMs: parseVerifyTimeout(timeoutRaw)
  }
}

const parseVerifyTimeout = (raw: string): number =>
  parseDuration('verify_timeout', raw, {
    fallbackMs: DEFAULT_VERIFY_TIMEOUT_SECONDS * 1000,
    minMs: 1000,
    maxMs: MAX_VERIFY_TIMEOUT_SECONDS * 1000
  })

function parseVerifyFor(raw: string, verifying: boolean): number {
  const ms = parseDuration('verify_for', raw, { fallbackMs: 0, minMs: 0, maxMs: MAX_VERIFY_TIMEOUT_SECONDS * 1000 })
  if (ms > 0 && !verifying) {
    throw new InputError('verify_for', 'applies only with verify_url (the precheck stops at its first pass)')
  }
  return ms
}

const HOST_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
const VERIFY_HOST = new RegExp(`^(${HOST_LABEL}(?:\\.${HOST_LABEL})*)(?::([0-9]{1,5}))?$`)

/** verify_host: a DNS name (what a certificate names), optionally with a port; no IP address, no path. */
function checkVerifyHost(host: string): void {
  const m = VERIFY_HOST.exec(host)
  const port = m?.[2] === undefined ? 1 : Number(m[2])
  if (!m || m[1].length > 253 || port < 1 || port > 65535) {
    throw new InputError('verify_host', `'${host}' is not a host name with an optional :port (like www.example.com)`)
  }
  if (/^[0-9.]+$/.test(m[1])) {
    throw new InputError('verify_host', `'${host}' is an IP address: give the name the site's certificate is for`)
  }
}

/** With several addresses, each is probed on its own only through {ip}: one shared probe proves nothing for the others. */
function checkEachProbed(name: string, template: string, addresses: number): void {
  if (addresses > 1 && !template.includes('{ip}')) {
    throw new InputError(
      name,
      `must contain {ip} when several addresses move (${addresses} given): each address is probed on its own, so one probe cannot pass for all`
    )
  }
}

/**
 * A probe URL template must make an http(s) URL without credentials for an IPv4 and an IPv6 address
 * alike (and for the other placeholders it may hold).
 */
function checkProbeUrl(name: string, template: string, placeholders: Record<string, string>): void {
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(template)) {
    throw new InputError(name, 'must not contain white space or control characters')
  }
  for (const sample of ['192.0.2.1', '[2001:db8::1]']) {
    let text = template.split('{ip}').join(sample)
    for (const [placeholder, value] of Object.entries(placeholders)) text = text.split(placeholder).join(value)
    const unknown = /\{[^{}]*\}?|\}/.exec(text)
    if (unknown) {
      const known = ['{ip}', ...Object.keys(placeholders)].join(' and ')
      throw new InputError(name, `'${unknown[0]}' is not a placeholder here: ${name} takes ${known}`)
    }
    let url: URL
    try {
      url = new URL(text)
    } catch {
      throw new InputError(name, `'${template}' is not a URL (write {ip} where the address goes)`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InputError(name, `must be an http or https URL, got '${url.protocol}'`)
    }
    if (url.username !== '' || url.password !== '') {
      throw new InputError(name, 'must not contain credentials (they would be sent to every address probed)')
    }
  }
}

const DEFAULT_MAX_RELEASE = 10
const MAX_MAX_RELEASE = 100_000
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const MAX_UNASSIGNED_FOR_MS = 3650 * 86_400_000

/** keep_dns, max_release and unassigned_for: prune's guards, refused by name elsewhere. */
function parsePruneGuards(
  get: (name: string) => string,
  operation: Operation
): Pick<Inputs, 'keepDns' | 'maxRelease' | 'unassignedForMs'> {
  const onlyPrune = (name: string): InputError =>
    new InputError(name, `applies to prune only; remove it from operation '${operation}'`)
  const keepDns = parseBoolean('keep_dns', get('keep_dns'), false)
  if (keepDns && operation !== 'prune') throw onlyPrune('keep_dns')
  const maxRaw = get('max_release')
  if (maxRaw !== '' && (!/^[0-9]{1,6}$/.test(maxRaw) || Number(maxRaw) > MAX_MAX_RELEASE)) {
    throw new InputError('max_release', `must be a whole number from 0 to ${MAX_MAX_RELEASE}, got '${maxRaw}'`)
  }
  // action.yml's default arrives with every operation: only another value is refused outside prune.
  if (maxRaw !== '' && Number(maxRaw) !== DEFAULT_MAX_RELEASE && operation !== 'prune') throw onlyPrune('max_release')
  const idleRaw = get('unassigned_for')
  if (idleRaw !== '' && operation !== 'prune') throw onlyPrune('unassigned_for')
  return {
    keepDns,
    maxRelease: maxRaw === '' ? DEFAULT_MAX_RELEASE : Number(maxRaw),
    unassignedForMs:
      idleRaw === '' ? undefined : parseDuration('unassigned_for', idleRaw, { minMs: 1, maxMs: MAX_UNASSIGNED_FOR_MS })
  }
}

interface DurationBounds {
  /** The value when the input is empty. */
  readonly fallbackMs?: number
  /** The least accepted, in ms (1: more than 0). */
  readonly minMs: number
  readonly maxMs: number
}

/**
 * Every duration input (timeout, verify_timeout, verify_for, unassigned_for): seconds, or a number
 * with s, m, h or d (`90`, `90s`, `5m`, `1.5h`, `7d`), as ms, within its bounds.
 */
function parseDuration(name: string, raw: string, bounds: DurationBounds): number {
  if (raw === '' && bounds.fallbackMs !== undefined) return bounds.fallbackMs
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([smhd]?)$/i.exec(raw)
  const ms = m ? Math.round(Number(m[1]) * UNIT_MS[(m[2] || 's').toLowerCase()]) : NaN
  if (!(ms >= bounds.minMs) || ms > bounds.maxMs) {
    throw new InputError(
      name,
      `must be ${durationRange(bounds)}: seconds, or a number with s, m, h or d (like 90, 5m, 12h, 7d), got '${raw}'`
    )
  }
  return ms
}

function durationRange({ minMs, maxMs }: DurationBounds): string {
  const most = maxMs % UNIT_MS.d === 0 ? `${maxMs / UNIT_MS.d} days` : `${maxMs / 1000} s`
  if (minMs <= 1) return `${minMs === 0 ? '0 or more' : 'more than 0'} and at most ${most}`
  return `from ${minMs / 1000} s to ${most}`
}
