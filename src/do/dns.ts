/**
 * DigitalOcean's DNS: the zones of the account and the A and AAAA records in them, every page.
 * `prune` with `keep_dns` reads them once per run and spares every address a record points at.
 * Reading them needs the token's `domain:read` scope. Names and zones are DigitalOcean's own text,
 * neutralised where they are written (the log, the summary).
 */
import { parseAddress } from '../inputs/address.js'
import type { ApiClient, RequestContext } from '../transport/http.js'
import { isObject, textOf, type DomainObject, type DomainRecordObject, type Loose } from './api-types.js'
import { PAGE_SIZE, pageInfo, readAllPages, type Page } from './ips.js'

/** An A or AAAA record: where it lives and the address it points at (canonical). */
export interface AddressRecord {
  readonly zone: string
  /** The record's name as DigitalOcean keeps it: `@` for the zone's apex, else the host part. */
  readonly name: string
  readonly type: 'A' | 'AAAA'
  readonly address: string
}

/** Zones read a few at a time. */
const ZONE_CONCURRENCY = 4

/** The record's fully qualified name with its type: `www.example.com (A)`, `example.com (AAAA)` for `@`. */
export function recordLabel(r: AddressRecord): string {
  const host = r.name === '@' || r.name === '' ? r.zone : `${r.name}.${r.zone}`
  return `${host} (${r.type})`
}

function listOf(body: unknown, key: string): unknown[] {
  return isObject(body) && Array.isArray(body[key]) ? (body[key] as unknown[]) : []
}

/** The A or AAAA record in a record object, or undefined for any other (or one whose data is no address). */
function toAddressRecord(zone: string, r: Loose<DomainRecordObject>): AddressRecord | undefined {
  if ((r.type !== 'A' && r.type !== 'AAAA') || typeof r.data !== 'string') return undefined
  const addr = parseAddress(r.data)
  if (!addr || addr.version !== (r.type === 'A' ? 4 : 6)) return undefined
  return { zone, name: textOf(r.name, '@'), type: r.type, address: addr.text }
}

/** One record of a page: a key to tell it from the others (paging counts every record), and the address record it is, if any. */
interface RecordItem {
  readonly key: string
  readonly record: AddressRecord | undefined
}

function toRecordItem(zone: string, obj: unknown): RecordItem | undefined {
  if (!isObject(obj)) return undefined
  const r = obj as Loose<DomainRecordObject>
  const key = typeof r.id === 'number' ? String(r.id) : JSON.stringify([r.type, r.name, r.data])
  return { key, record: toAddressRecord(zone, r) }
}

/** DigitalOcean's DNS (GET /v2/domains, /v2/domains/{name}/records). Each call takes the context it runs in. */
export class DnsService {
  constructor(private readonly http: ApiClient) {}

  /** The names of every DNS zone of the account. */
  zones(ctx: RequestContext): Promise<string[]> {
    const fetchPage = async (page: number): Promise<Page<string>> => {
      const query = { page, per_page: PAGE_SIZE }
      const res = await this.http.request(ctx, 'GET', '/v2/domains', { query, retry: 'safe' })
      const items = listOf(res.body, 'domains')
        .map((d) => (isObject(d) ? (d as Loose<DomainObject>).name : undefined))
        .filter((n): n is string => typeof n === 'string' && n !== '')
      return { items, ...pageInfo(isObject(res.body) ? res.body : {}) }
    }
    return readAllPages(fetchPage, (name) => name)
  }

  /** Every A and AAAA record of one zone, every page. */
  async records(ctx: RequestContext, zone: string): Promise<AddressRecord[]> {
    const path = `/v2/domains/${encodeURIComponent(zone)}/records`
    const fetchPage = async (page: number): Promise<Page<RecordItem>> => {
      const query = { page, per_page: PAGE_SIZE }
      const res = await this.http.request(ctx, 'GET', path, { query, retry: 'safe' })
      const items = listOf(res.body, 'domain_records')
        .map((o) => toRecordItem(zone, o))
        .filter((r) => r !== undefined)
      return { items, ...pageInfo(isObject(res.body) ? res.body : {}) }
    }
    const items = await readAllPages(fetchPage, (r) => r.key)
    return items.flatMap((item) => (item.record ? [item.record] : []))
  }

  /** Every A and AAAA record of every zone of the account: one pass over the zones, a few at a time. */
  async addressRecords(ctx: RequestContext): Promise<AddressRecord[]> {
    const zones = await this.zones(ctx)
    const out: AddressRecord[][] = []
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < zones.length) {
        const i = next++
        out[i] = await this.records(ctx, zones[i])
      }
    }
    await Promise.all(Array.from({ length: Math.min(ZONE_CONCURRENCY, zones.length) }, worker))
    return out.flat()
  }
}
