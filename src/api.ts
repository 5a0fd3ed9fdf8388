/**
 * DigitalOcean's reserved IP endpoints for both families, and the shapes the action reads from them.
 *
 * IPv4 goes through /v2/reserved_ips (the current name of /v2/floating_ips: the same addresses),
 * IPv6 through /v2/reserved_ipv6. Every address put into a path has been through parseAddress,
 * so it holds only digits, hex letters, dots and colons.
 */
import type { Address, IpVersion } from './address.js'
import { parseAddress } from './address.js'
import { ApiError, type ApiClient } from './http.js'
import { apiText } from './neutral.js'
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
  if (typeof o.ip !== 'string') return undefined
  const droplet = isObject(o.droplet) ? (o.droplet as Loose<DropletObject>) : undefined
  const region = isObject(o.region) ? (o.region as Loose<RegionObject>) : undefined
  const regionSlug = typeof o.region_slug === 'string' ? o.region_slug : region?.slug
  return {
    ip: parseAddress(o.ip)?.text ?? apiText(o.ip),
    version,
    region: typeof regionSlug === 'string' ? apiText(regionSlug) : '',
    dropletId: typeof droplet?.id === 'number' ? droplet.id : null,
    dropletName: typeof droplet?.name === 'string' ? apiText(droplet.name) : '',
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

/** Every reserved IP of one family, across all pages (200 a page; later pages fetched a few at a time). */
export async function listIps(client: ApiClient, version: IpVersion): Promise<IpRecord[]> {
  const { base, many } = FAMILY[version]
  const fetchPage = async (page: number): Promise<{ items: IpRecord[]; total: number; hasNext: boolean }> => {
    const res = await client.request('GET', base, { query: { page, per_page: PAGE_SIZE }, retry: 'safe' })
    const body = isObject(res.body) ? res.body : {}
    const list = Array.isArray(body[many]) ? (body[many] as unknown[]) : []
    const items = list.map((o) => toIpRecord(o, version)).filter((r): r is IpRecord => r !== undefined)
    const meta = isObject(body.meta) ? (body.meta as Loose<ListMeta>) : {}
    const links = isObject(body.links) ? (body.links as Loose<PageLinks>) : {}
    const pages = isObject(links.pages) ? (links.pages as Loose<NonNullable<PageLinks['pages']>>) : {}
    return { items, total: typeof meta.total === 'number' ? meta.total : NaN, hasNext: typeof pages.next === 'string' }
  }
  const first = await fetchPage(1)
  const byIp = new Map<string, IpRecord>()
  const add = (items: IpRecord[]): void => {
    for (const r of items) byIp.set(r.ip, r)
  }
  add(first.items)
  let page = 1
  let last = first
  if (Number.isFinite(first.total) && first.hasNext) {
    // meta.total tells how many pages there are: fetch them a few at a time.
    const pageCount = Math.ceil(first.total / PAGE_SIZE)
    let next = 2
    const worker = async (): Promise<void> => {
      while (next <= pageCount) {
        const n = next++
        const result = await fetchPage(n)
        add(result.items)
        if (n === pageCount) last = result
      }
    }
    await Promise.all(Array.from({ length: Math.min(PAGE_CONCURRENCY, pageCount - 1) }, worker))
    page = pageCount
  }
  // Addresses reserved while the list was read can add a page: follow the links to the end.
  while (last.hasNext && last.items.length > 0) {
    page++
    last = await fetchPage(page)
    add(last.items)
  }
  return [...byIp.values()]
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
 * Releases an IP. Returns false when it was already gone. A 404 on a retry, after an attempt that
 * got no answer, means that attempt released it: that counts as released.
 */
export async function deleteIp(client: ApiClient, addr: Address): Promise<boolean> {
  try {
    await client.request('DELETE', ipPath(addr), { retry: 'safe' })
    return true
  } catch (e) {
    if (isNotFound(e)) return (e as ApiError).attempts > 1
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
