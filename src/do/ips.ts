/**
 * DigitalOcean's reserved IP endpoints for both families, and the shapes the action reads from them.
 *
 * IPv4 goes through /v2/reserved_ips (the current name of /v2/floating_ips: the same addresses),
 * IPv6 through /v2/reserved_ipv6. Every address put into a path has been through parseAddress,
 * so it holds only digits, hex letters, dots and colons.
 */
import type { Address, IpVersion } from '../inputs/address.js'
import { parseAddress } from '../inputs/address.js'
import { ApiError, type ApiClient, type RequestContext } from '../transport/http.js'
import {
  isObject,
  textOf,
  type ActionLink,
  type DropletObject,
  type Json,
  type ListMeta,
  type Loose,
  type PageLinks,
  type RegionObject,
  type ReservedIpObject,
  type ReservedIpv6Object
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

export function ipPath(addr: Address): string {
  return `${FAMILY[addr.version].base}/${addr.text}`
}

/** Turns an IP object of either family into an IpRecord; undefined when it is not one. */
function toIpRecord(obj: unknown, version: IpVersion): IpRecord | undefined {
  if (!isObject(obj)) return undefined
  const o = obj as Loose<ReservedIpObject & ReservedIpv6Object>
  // The address goes into paths and outputs: one that is no address of the family is no IP object.
  const ip = typeof o.ip === 'string' ? parseAddress(o.ip) : undefined
  if (!ip || ip.version !== version) return undefined
  const droplet = isObject(o.droplet) ? (o.droplet as Loose<DropletObject>) : undefined
  const region = isObject(o.region) ? (o.region as Loose<RegionObject>) : undefined
  // DigitalOcean's own text: neutralised where it is written (the log, the summary), not here.
  return {
    ip: ip.text,
    version,
    region: textOf(o.region_slug, textOf(region?.slug)),
    dropletId: typeof droplet?.id === 'number' ? droplet.id : null,
    dropletName: textOf(droplet?.name),
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

export const isNotFound = (e: unknown): boolean => e instanceof ApiError && e.status === 404

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

export interface CreateRequest {
  readonly version: IpVersion
  readonly region?: string
  readonly dropletId?: number
  readonly projectId?: string
}

/** A reserved address just created, and the action that assigns it (a create onto a droplet). */
export interface Created {
  readonly record: IpRecord
  readonly actionId?: number
}

/** The first action id in a create's answer (`links.actions`), if any. */
function firstActionId(body: unknown): number | undefined {
  const links = isObject(body) && isObject(body.links) ? body.links : {}
  const list: unknown[] = Array.isArray(links.actions) ? links.actions : []
  for (const link of list) {
    const id = isObject(link) ? (link as Loose<ActionLink>).id : undefined
    if (typeof id === 'number') return id
  }
  return undefined
}

/**
 * The reserved addresses of both families (/v2/reserved_ips, /v2/reserved_ipv6): read, list,
 * create, release. Each call takes the context it runs in.
 */
export class IpsService {
  constructor(private readonly http: ApiClient) {}

  /** Reads one IP; null when it is not reserved in this account. */
  async get(ctx: RequestContext, addr: Address): Promise<IpRecord | null> {
    try {
      const res = await this.http.request(ctx, 'GET', ipPath(addr), { retry: 'safe' })
      return unwrapIp(res.body, addr.version)
    } catch (e) {
      if (isNotFound(e)) return null
      throw e
    }
  }

  /** Every reserved IP of one family, across all pages (see readAllPages). */
  list(ctx: RequestContext, version: IpVersion): Promise<IpRecord[]> {
    const { base, many } = FAMILY[version]
    const fetchPage = async (page: number): Promise<Page<IpRecord>> => {
      const query = { page, per_page: PAGE_SIZE }
      const res = await this.http.request(ctx, 'GET', base, { query, retry: 'safe' })
      const body = isObject(res.body) ? res.body : {}
      const list = Array.isArray(body[many]) ? (body[many] as unknown[]) : []
      const items = list.map((o) => toIpRecord(o, version)).filter((r): r is IpRecord => r !== undefined)
      return { items, ...pageInfo(body) }
    }
    return readAllPages(fetchPage, (r) => r.ip)
  }

  /**
   * Reserves a new IP. Sent once: a create whose answer is lost is never repeated, because a
   * repeat could reserve (and bill) a second address.
   */
  async create(ctx: RequestContext, req: CreateRequest): Promise<Created> {
    const res = await this.http.request(ctx, 'POST', FAMILY[req.version].base, { body: createBody(req), retry: 'once' })
    return { record: unwrapIp(res.body, req.version), actionId: firstActionId(res.body) }
  }

  /**
   * Releases an IP, sent once (not even retried after a 429: the caller reads the address again
   * first, since another client may have assigned it meanwhile); after an unclear answer the
   * caller reads the address before anything else. Returns false when it was not there (404).
   */
  async delete(ctx: RequestContext, addr: Address): Promise<boolean> {
    try {
      await this.http.request(ctx, 'DELETE', ipPath(addr), { retry: 'never' })
      return true
    } catch (e) {
      if (isNotFound(e)) return false
      throw e
    }
  }
}

function createBody(req: CreateRequest): Json {
  if (req.version === 6) return { region_slug: req.region }
  if (req.dropletId !== undefined) return { droplet_id: req.dropletId }
  return req.projectId ? { region: req.region, project_id: req.projectId } : { region: req.region }
}

/** IPv6: when the address was reserved (`reserved_at`), as epoch ms; undefined when absent or unreadable. */
export function reservedAtOf(record: IpRecord): number | undefined {
  if (!isObject(record.raw)) return undefined
  return timeOf((record.raw as Loose<ReservedIpv6Object>).reserved_at)
}

/** An API time (ISO 8601) as epoch ms; undefined when absent or unreadable. */
export const timeOf = (v: unknown): number | undefined => {
  const ms = typeof v === 'string' ? Date.parse(v) : NaN
  return Number.isFinite(ms) ? ms : undefined
}
