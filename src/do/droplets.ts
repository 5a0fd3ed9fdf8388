/** Resolves the target droplet from droplet_id, droplet_name or droplet_tag. */
import type { ApiClient, RequestContext } from '../transport/http.js'
import type { DropletSelector } from '../inputs/inputs.js'
import { PAGE_SIZE, isNotFound, pageInfo, readAllPages, type Page } from './ips.js'
import { isObject, textOf, type DropletObject, type Loose, type NetworkObject, type RegionObject } from './api-types.js'
import { parseAddress, type Address } from '../inputs/address.js'

export interface DropletRef {
  readonly id: number
  /** '' when only the id is known (droplet_id given: no request is spent on looking it up). */
  readonly name: string
  readonly region: string
  /** The droplet's own addresses, when a droplet object was read (not for a bare droplet_id). */
  readonly networks?: DropletNetworks
}

/** A droplet's own addresses from its `networks`, and whether it has IPv6 (see networksOf). */
export interface DropletNetworks {
  readonly publicV4?: Address
  /** Its VPC address (type private). */
  readonly privateV4?: Address
  readonly publicV6?: Address
  /** IPv6 enabled: `features` lists 'ipv6' or `networks.v6` a public address; undefined when the answer has neither field. */
  readonly ipv6?: boolean
}

/** A name or tag that matches no droplet, or more than one. Nothing has been changed. */
class DropletSelectionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DropletSelectionError'
  }
}

/** A droplet as listed, with its name and region as the API gave them (for matching) and its tags. */
interface ListedDroplet {
  readonly id: number
  readonly name: string
  readonly region: string
  readonly tags: readonly string[]
  readonly networks: DropletNetworks
}

function toListed(obj: unknown): ListedDroplet | undefined {
  if (!isObject(obj)) return undefined
  const d = obj as Loose<DropletObject>
  if (typeof d.id !== 'number') return undefined
  const region = isObject(d.region) ? (d.region as Loose<RegionObject>) : {}
  return {
    id: d.id,
    name: textOf(d.name),
    region: textOf(region.slug),
    tags: Array.isArray(d.tags) ? d.tags.filter((t): t is string => typeof t === 'string') : [],
    networks: networksOf(d)
  }
}

/** The first address of the type in a networks list (v4 or v6), checked to be a plain address of the family. */
function addressOf(list: unknown, type: 'public' | 'private', version: 4 | 6): Address | undefined {
  if (!Array.isArray(list)) return undefined
  for (const entry of list) {
    const n = (isObject(entry) ? entry : {}) as Loose<NetworkObject>
    const addr = n.type === type && typeof n.ip_address === 'string' ? parseAddress(n.ip_address) : undefined
    if (addr?.version === version) return addr
  }
  return undefined
}

/** The droplet's own addresses (networks.v4/v6) and whether IPv6 is enabled (features, networks.v6). */
function networksOf(d: Loose<DropletObject>): DropletNetworks {
  const networks = (isObject(d.networks) ? d.networks : {}) as { v4?: unknown; v6?: unknown }
  const publicV6 = addressOf(networks.v6, 'public', 6)
  const features = Array.isArray(d.features) ? d.features : undefined
  const known = features !== undefined || Array.isArray(networks.v6)
  return {
    publicV4: addressOf(networks.v4, 'public', 4),
    privateV4: addressOf(networks.v4, 'private', 4),
    publicV6,
    ipv6: known ? publicV6 !== undefined || features?.includes('ipv6') === true : undefined
  }
}

/** The droplet as the action reports it: DigitalOcean's own text, neutralised where it is written. */
function toRef(d: ListedDroplet): DropletRef {
  return { id: d.id, name: d.name, region: d.region, networks: d.networks }
}

function toDropletRef(obj: unknown): DropletRef | undefined {
  const listed = toListed(obj)
  return listed && toRef(listed)
}

type NamedSelector = Exclude<DropletSelector, { kind: 'id' }>

function describe(list: readonly DropletRef[]): string {
  const shown = list.slice(0, 20).map((d) => `${d.id} (${d.name || 'unnamed'}, ${d.region || 'unknown region'})`)
  return shown.join(', ') + (list.length > shown.length ? `, and ${list.length - shown.length} more` : '')
}

/** Picks the one droplet a selector names out of the candidates listed for it. */
function pick(selector: NamedSelector, listed: readonly ListedDroplet[]): DropletRef {
  const what = selector.kind === 'name' ? `droplet_name '${selector.name}'` : `droplet_tag '${selector.tag}'`
  // The API matches names case-insensitively; a deploy means exactly this name, as DigitalOcean stores it.
  const found = selector.kind === 'name' ? listed.filter((d) => d.name === selector.name) : listed
  const refs = found.map(toRef)
  if (refs.length === 0) {
    const others = listed.map(toRef)
    const near = others.length > 0 ? ` (names differ only in case: ${describe(others)})` : ''
    throw new DropletSelectionError(`${what} matches no droplet exactly${near}; nothing was changed`)
  }
  if (refs.length > 1) {
    throw new DropletSelectionError(
      `${what} matches ${refs.length} droplets, but must match exactly one: ${describe(refs)}; nothing was changed`
    )
  }
  return refs[0]
}

/** The droplets (GET /v2/droplets, /v2/droplets/{id}). Each call takes the context it runs in. */
export class DropletsService {
  constructor(private readonly http: ApiClient) {}

  /** Reads a droplet by id for its name, region and addresses; undefined when it does not exist. */
  async get(ctx: RequestContext, id: number): Promise<DropletRef | undefined> {
    try {
      const res = await this.http.request(ctx, 'GET', `/v2/droplets/${id}`, { retry: 'safe' })
      return toDropletRef(isObject(res.body) ? res.body.droplet : undefined)
    } catch (e) {
      if (isNotFound(e)) return undefined
      throw e
    }
  }

  /** Finds the one droplet a selector names. An id is taken as given; the API checks it when it is used. */
  async resolve(ctx: RequestContext, selector: DropletSelector): Promise<DropletRef> {
    if (selector.kind === 'id') return { id: selector.id, name: '', region: '' }
    return pick(selector, await this.candidates(ctx, selector))
  }

  /**
   * The droplet with its region: droplet_id alone does not give it, so it is read. Throws
   * DropletSelectionError when the droplet does not exist (`unchanged` ends the message).
   */
  withRegion(ctx: RequestContext, target: DropletRef, unchanged: string): Promise<DropletRef> {
    return target.region ? Promise.resolve(target) : this.mustGet(ctx, target.id, unchanged)
  }

  /**
   * The droplet with its own addresses (networks): a droplet given by id alone is read for them.
   * Throws DropletSelectionError when it does not exist, and the API's error when it cannot be read.
   */
  withNetworks(ctx: RequestContext, target: DropletRef, unchanged: string): Promise<DropletRef> {
    return target.networks ? Promise.resolve(target) : this.mustGet(ctx, target.id, unchanged)
  }

  private async mustGet(ctx: RequestContext, id: number, unchanged: string): Promise<DropletRef> {
    const read = await this.get(ctx, id)
    if (!read) throw new DropletSelectionError(`droplet_id: droplet ${id} was not found in this account. ${unchanged}`)
    return read
  }

  /** Every droplet a filter lists, across all pages (see readAllPages). */
  private list(ctx: RequestContext, filter: Record<string, string>): Promise<ListedDroplet[]> {
    const fetchPage = async (page: number): Promise<Page<ListedDroplet>> => {
      const query = { ...filter, page, per_page: PAGE_SIZE }
      const res = await this.http.request(ctx, 'GET', '/v2/droplets', { query, retry: 'safe' })
      const body = isObject(res.body) ? res.body : {}
      const list: unknown[] = Array.isArray(body.droplets) ? body.droplets : []
      const items = list.map(toListed).filter((d): d is ListedDroplet => d !== undefined)
      return { items, ...pageInfo(body) }
    }
    return readAllPages(fetchPage, (d) => String(d.id))
  }

  /**
   * The droplets a name or tag may mean, GPU droplets included. GET /v2/droplets lists GPU droplets
   * only with type=gpus, and then only them, so a name is looked up in both lists. tag_name cannot be
   * combined with type (nor with name), so for a tag every GPU droplet is listed (type=gpus) and
   * its tags are checked here, next to the tag_name list of the others.
   */
  private async candidates(ctx: RequestContext, selector: NamedSelector): Promise<ListedDroplet[]> {
    const lists =
      selector.kind === 'name'
        ? [this.list(ctx, { name: selector.name }), this.list(ctx, { name: selector.name, type: 'gpus' })]
        : [
            this.list(ctx, { tag_name: selector.tag }),
            this.list(ctx, { type: 'gpus' }).then((gpus) => gpus.filter((d) => d.tags.includes(selector.tag)))
          ]
    const byId = new Map<number, ListedDroplet>()
    for (const d of (await Promise.all(lists)).flat()) byId.set(d.id, d)
    return [...byId.values()]
  }
}
