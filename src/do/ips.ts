/**
 * DigitalOcean's reserved IP endpoints for both families, and the shapes the action reads from them.
 *
 * IPv4 goes through /v2/reserved_ips (the current name of /v2/floating_ips: the same addresses),
 * IPv6 through /v2/reserved_ipv6. Every address put into a path has been through parseAddress,
 * so it holds only digits, hex letters, dots and colons.
 */
import type { Address, IpVersion } from '../inputs/address.js'
import { parseAddress } from '../inputs/address.js'
import { ApiError, type ApiClient } from '../transport/http.js'
import type {
  ActionLink,
  ActionObject,
  DropletObject,
  ListMeta,
  Loose,
  PageLinks,
  RegionObject,
  ReservedIpObject,
  ReservedIpv6Object
} from './api-types.js'

export interface IpRecord {
  readonly ip: string
  readonly version: IpVersion
  readonly region: string
  readonly dropletId: number | null
  readonly dropletName: string
  /** IPv4 only: DigitalOcean reports an IP as locked while an action on it is in progress. */
  readonly locked: boolean
  /** The object as the API returned it. */
  readonly raw: unknown
}

export interface ActionRecord {
  readonly id: number
  readonly status: string
  readonly type: string
  readonly raw: unknown
}

interface FamilyPaths {
  readonly base: string
  readonly one: string
  readonly many: string
}

const FAMILY: Record<IpVersion, FamilyPaths> = {
  4: { base: '/v2/reserved_ips', one: 'reserved_ip', many: 'reserved_ips' },
  6: { base: '/v2/reserved_ipv6', one: 'reserved_ipv6', many: 'reserved_ipv6s' }
}

export const PAGE_SIZE = 200
const PAGE_CONCURRENCY = 4

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

export function ipPath(addr: Address): string {
  return `${FAMILY[addr.version].base}/${addr.text}`
}

/** Turns an IP object of either family into an IpRecord; undefined when it is not one. */
export function toIpRecord(obj: unknown, version: IpVersion): IpRecord | undefined {
  if (!isObject(obj)) return undefined
  const o = obj as Loose<ReservedIpObject & ReservedIpv6Object>
  // The address goes into paths and outputs: one that is no address of the family is no IP object.
  const ip = typeof o.ip === 'string' ? parseAddress(o.ip) : undefined
  if (!ip || ip.version !== version) return undefined
  const droplet = isObject(o.droplet) ? (o.droplet as Loose<DropletObject>) : undefined
  const region = isObject(o.region) ? (o.region as Loose<RegionObject>) : undefined
  const regionSlug = typeof o.region_slug === 'string' ? o.region_slug : region?.slug
  // DigitalOcean's own text: neutralised where it is written (the log, the summary), not here.
  return {
    ip: ip.text,
    version,
    region: typeof regionSlug === 'string' ? regionSlug : '',
    dropletId: typeof droplet?.id === 'number' ? droplet.id : null,
    dropletName: typeof droplet?.name === 'string' ? droplet.name : '',
    locked: o.locked === true,
    raw: obj
  }
}

/** The IP object in a response; reserved_ipv6 answers have at times lacked their wrapper key. */
function unwrapIp(body: unknown, version: IpVersion): IpRecord {
  const key = FAMILY[version].one
  const inner = isObject(body) && isObject(body[key]) ? body[key] : body
  const record = toIpRecord(inner, version)
  if (!record) throw new Error(`DigitalOcean's answer holds no ${key} object`)
  return record
}

export function toAction(body: unknown): ActionRecord {
  const inner = isObject(body) && isObject(body.action) ? body.action : body
  if (!isObject(inner)) throw new Error("DigitalOcean's answer holds no action object")
  const a = inner as Loose<ActionObject>
  if (typeof a.id !== 'number') throw new Error("DigitalOcean's answer holds no action object")
  return {
    id: a.id,
    status: typeof a.status === 'string' ? a.status : '',
    type: typeof a.type === 'string' ? a.type : '',
    raw: inner
  }
}

const isNotFound = (e: unknown): boolean => e instanceof ApiError && e.status === 404

/** Reads one IP; null when it is not reserved in this account. */
export async function readIp(client: ApiClient, addr: Address): Promise<IpRecord | null> {
  try {
    const res = await client.request('GET', ipPath(addr), { retry: 'safe' })
    return unwrapIp(res.body, addr.version)
  } catch (e) {
    if (isNotFound(e)) return null
    throw e
  }
}

/** One page of a list: its items, meta.total when the API gave it, and whether links.pages.next is there. */
export interface Page<T> {
  readonly items: readonly T[]
  readonly total: number | undefined
  readonly hasNext: boolean
}

/** Where reading a list has got to: the page read last and how many unseen items it brought. */
interface PageState<T> {
  readonly page: number
  readonly result: Page<T>
  readonly fresh: number
}

/** Reads links.pages.next and meta.total from a list answer. */
export function pageInfo(body: Json): { total: number | undefined; hasNext: boolean } {
  const meta = isObject(body.meta) ? (body.meta as Loose<ListMeta>) : {}
  const links = isObject(body.links) ? (body.links as Loose<PageLinks>) : {}
  const pages = isObject(links.pages) ? (links.pages as Loose<NonNullable<PageLinks['pages']>>) : {}
  const total = Number.isInteger(meta.total) && (meta.total as number) >= 0 ? (meta.total as number) : undefined
  return { total, hasNext: typeof pages.next === 'string' }
}

/**
 * Reads every page of a list of PAGE_SIZE a page. Stops at the first page that brings no item not
 * seen before (an API whose next link never ends), and, when meta.total is given, after at most
 * ceil(total / PAGE_SIZE) + 1 requests: the pages the total needs are read a few at a time, and one
 * more is followed when items were added while reading. The client's deadline bounds it in any case.
 */
export async function readAllPages<T>(
  fetchPage: (page: number) => Promise<Page<T>>,
  keyOf: (item: T) => string
): Promise<T[]> {
  const seen = new Map<string, T>()
  const add = (items: readonly T[]): number => {
    let fresh = 0
    for (const item of items) {
      const key = keyOf(item)
      if (!seen.has(key)) fresh++
      seen.set(key, item)
    }
    return fresh
  }
  const first = await fetchPage(1)
  let state: PageState<T> = { page: 1, result: first, fresh: add(first.items) }
  const maxRequests = first.total === undefined ? Infinity : Math.max(1, Math.ceil(first.total / PAGE_SIZE)) + 1
  if (state.fresh > 0 && first.hasNext && Number.isFinite(maxRequests) && maxRequests > 2) {
    state = await readCountedPages(fetchPage, add, maxRequests - 1)
  }
  while (state.result.hasNext && state.fresh > 0 && state.page < maxRequests) {
    const page = state.page + 1
    const result = await fetchPage(page)
    state = { page, result, fresh: add(result.items) }
  }
  return [...seen.values()]
}

/** Pages 2..lastPage, PAGE_CONCURRENCY at a time; no new page is started once one brought nothing new. */
async function readCountedPages<T>(
  fetchPage: (page: number) => Promise<Page<T>>,
  add: (items: readonly T[]) => number,
  lastPage: number
): Promise<PageState<T>> {
  let next = 2
  let exhausted = false
  let highest: PageState<T> | undefined
  const worker = async (): Promise<void> => {
    while (!exhausted && next <= lastPage) {
      const page = next++
      const result = await fetchPage(page)
      const fresh = add(result.items)
      if (fresh === 0) exhausted = true
      if (!highest || page > highest.page) highest = { page, result, fresh }
    }
  }
  await Promise.all(Array.from({ length: Math.min(PAGE_CONCURRENCY, lastPage - 1) }, worker))
  const last = highest as PageState<T>
  return exhausted ? { ...last, fresh: 0 } : last
}

/** Every reserved IP of one family, across all pages (see readAllPages). */
export async function listIps(client: ApiClient, version: IpVersion): Promise<IpRecord[]> {
  const { base, many } = FAMILY[version]
  const fetchPage = async (page: number): Promise<Page<IpRecord>> => {
    const res = await client.request('GET', base, { query: { page, per_page: PAGE_SIZE }, retry: 'safe' })
    const body = isObject(res.body) ? res.body : {}
    const list = Array.isArray(body[many]) ? (body[many] as unknown[]) : []
    const items = list.map((o) => toIpRecord(o, version)).filter((r): r is IpRecord => r !== undefined)
    return { items, ...pageInfo(body) }
  }
  return readAllPages(fetchPage, (r) => r.ip)
}

export interface CreateRequest {
  readonly version: IpVersion
  readonly region?: string
  readonly dropletId?: number
  readonly projectId?: string
}

/**
 * Reserves a new IP. Sent once: a create whose answer is lost is never repeated, because a
 * repeat could reserve (and bill) a second address.
 */
export async function createIp(
  client: ApiClient,
  req: CreateRequest
): Promise<{ record: IpRecord; actionId?: number }> {
  const { base } = FAMILY[req.version]
  let body: Json
  if (req.version === 4) {
    body = req.dropletId !== undefined ? { droplet_id: req.dropletId } : { region: req.region }
    if (req.projectId && req.dropletId === undefined) body.project_id = req.projectId
  } else {
    body = { region_slug: req.region }
  }
  const res = await client.request('POST', base, { body, retry: 'once' })
  const record = unwrapIp(res.body, req.version)
  let actionId: number | undefined
  if (isObject(res.body) && isObject(res.body.links) && Array.isArray(res.body.links.actions)) {
    for (const link of res.body.links.actions as unknown[]) {
      const id = isObject(link) ? (link as Loose<ActionLink>).id : undefined
      if (typeof id === 'number') {
        actionId = id
        break
      }
    }
  }
  return { record, actionId }
}

/**
 * Releases an IP, sent once (retried only after a 429, which was not processed): after an unclear
 * answer the caller reads the address before anything else, since another client may have assigned
 * it meanwhile. Returns false when it was not there (404).
 */
export async function deleteIp(client: ApiClient, addr: Address): Promise<boolean> {
  try {
    await client.request('DELETE', ipPath(addr), { retry: 'once' })
    return true
  } catch (e) {
    if (isNotFound(e)) return false
    throw e
  }
}

export type IpActionRequest = { readonly type: 'assign'; readonly dropletId: number } | { readonly type: 'unassign' }

/** Starts an assign or unassign. Sent once; the caller decides what a lost answer means. */
export async function postIpAction(client: ApiClient, addr: Address, action: IpActionRequest): Promise<ActionRecord> {
  const body = action.type === 'assign' ? { type: 'assign', droplet_id: action.dropletId } : { type: 'unassign' }
  const res = await client.request('POST', `${ipPath(addr)}/actions`, { body, retry: 'once' })
  return toAction(res.body)
}

/** Reads an action; null when DigitalOcean does not know it (seen for completed actions on some IPs). */
export async function readAction(client: ApiClient, id: number): Promise<ActionRecord | null> {
  try {
    const res = await client.request('GET', `/v2/actions/${id}`, { retry: 'safe' })
    return toAction(res.body)
  } catch (e) {
    if (isNotFound(e)) return null
    throw e
  }
}

/** IPv4 only: the newest in-progress action on an IP, if DigitalOcean lists one. */
export async function findInProgressAction(client: ApiClient, addr: Address): Promise<ActionRecord | undefined> {
  if (addr.version !== 4) return undefined
  let res
  try {
    res = await client.request('GET', `${ipPath(addr)}/actions`, { retry: 'safe' })
  } catch (e) {
    // Without the list, the caller watches the IP itself.
    if (e instanceof ApiError) return undefined
    throw e
  }
  const list = isObject(res.body) && Array.isArray(res.body.actions) ? res.body.actions : []
  const actions = list.flatMap((a: unknown) => {
    try {
      return [toAction(a)]
    } catch {
      return []
    }
  })
  return actions.filter((a) => a.status === 'in-progress').sort((a, b) => b.id - a.id)[0]
}

/** One action of an IP's history, with its times as epoch ms (undefined when absent or unreadable). */
export interface PastAction {
  readonly id: number
  readonly status: string
  readonly type: string
  readonly startedAt: number | undefined
  readonly completedAt: number | undefined
}

/** The actions of one reserved IPv4 that its first page lists, and whether there are more. */
export interface ActionHistory {
  readonly actions: readonly PastAction[]
  /** The list goes on past this page (a next link, or a total beyond what it holds). */
  readonly more: boolean
  readonly total: number | undefined
}

const timeOf = (v: unknown): number | undefined => {
  const ms = typeof v === 'string' ? Date.parse(v) : NaN
  return Number.isFinite(ms) ? ms : undefined
}

function toPastAction(obj: unknown): PastAction | undefined {
  if (!isObject(obj)) return undefined
  const a = obj as Loose<ActionObject>
  if (typeof a.id !== 'number') return undefined
  return {
    id: a.id,
    status: typeof a.status === 'string' ? a.status : '',
    type: typeof a.type === 'string' ? a.type : '',
    startedAt: timeOf(a.started_at),
    completedAt: timeOf(a.completed_at)
  }
}

/**
 * IPv4 only: the first page of the actions DigitalOcean lists for the IP (GET .../actions). The
 * description gives this list no paging parameters, so only its first page can be asked for.
 */
export async function readIpHistory(client: ApiClient, addr: Address): Promise<ActionHistory> {
  const res = await client.request('GET', `${ipPath(addr)}/actions`, { retry: 'safe' })
  const body = isObject(res.body) ? res.body : {}
  const list = Array.isArray(body.actions) ? (body.actions as unknown[]) : []
  const actions = list.map(toPastAction).filter((a): a is PastAction => a !== undefined)
  const { total, hasNext } = pageInfo(body)
  return { actions, total, more: hasNext || (total !== undefined && total > actions.length) }
}

/** IPv6: when the address was reserved (`reserved_at`), as epoch ms; undefined when absent or unreadable. */
export function reservedAtOf(record: IpRecord): number | undefined {
  if (!isObject(record.raw)) return undefined
  return timeOf((record.raw as Loose<ReservedIpv6Object>).reserved_at)
}
