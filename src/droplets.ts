/** Resolves the target droplet from droplet_id, droplet_name or droplet_tag. */
import type { ApiClient } from './http.js'
import { ApiError } from './http.js'
import type { DropletSelector } from './inputs.js'
import { PAGE_SIZE } from './api.js'
import type { DropletObject, Loose, RegionObject } from './api-types.js'

export interface DropletRef {
  readonly id: number
  /** '' when only the id is known (droplet_id given: no request is spent on looking it up). */
  readonly name: string
  readonly region: string
}

/** A name or tag that matches no droplet, or more than one. Nothing has been changed. */
export class DropletSelectionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DropletSelectionError'
  }
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

export function toDropletRef(obj: unknown): DropletRef | undefined {
  if (!isObject(obj)) return undefined
  const d = obj as Loose<DropletObject>
  if (typeof d.id !== 'number') return undefined
  const region = isObject(d.region) ? (d.region as Loose<RegionObject>) : {}
  return {
    id: d.id,
    name: typeof d.name === 'string' ? d.name : '',
    region: typeof region.slug === 'string' ? region.slug : ''
  }
}

async function listDroplets(client: ApiClient, filter: Record<string, string>): Promise<DropletRef[]> {
  const out: DropletRef[] = []
  for (let page = 1; ; page++) {
    const res = await client.request('GET', '/v2/droplets', {
      query: { ...filter, page, per_page: PAGE_SIZE },
      retry: 'safe'
    })
    const body = isObject(res.body) ? res.body : {}
    const list = Array.isArray(body.droplets) ? body.droplets : []
    for (const d of list) {
      const ref = toDropletRef(d)
      if (ref) out.push(ref)
    }
    const pages = isObject(body.links) && isObject(body.links.pages) ? body.links.pages : {}
    if (typeof pages.next !== 'string' || list.length === 0) return out
  }
}

function describe(list: readonly DropletRef[]): string {
  const shown = list.slice(0, 20).map((d) => `${d.id} (${d.name || 'unnamed'}, ${d.region || 'unknown region'})`)
  return shown.join(', ') + (list.length > shown.length ? `, and ${list.length - shown.length} more` : '')
}

/** Finds the one droplet a selector names. An id is taken as given; the API checks it when it is used. */
export async function resolveDroplet(client: ApiClient, selector: DropletSelector): Promise<DropletRef> {
  if (selector.kind === 'id') return { id: selector.id, name: '', region: '' }
  const [what, filter] =
    selector.kind === 'name'
      ? [`droplet_name '${selector.name}'`, { name: selector.name }]
      : [`droplet_tag '${selector.tag}'`, { tag_name: selector.tag }]
  let found = await listDroplets(client, filter)
  if (selector.kind === 'name') {
    // The API matches names case-insensitively; a deploy means exactly this name.
    const exact = found.filter((d) => d.name === selector.name)
    if (exact.length > 0) found = exact
  }
  if (found.length === 0) throw new DropletSelectionError(`${what} matches no droplet; nothing was changed`)
  if (found.length > 1) {
    throw new DropletSelectionError(
      `${what} matches ${found.length} droplets, but must match exactly one: ${describe(found)}; nothing was changed`
    )
  }
  return found[0]
}

/** Reads a droplet by id for its name and region; undefined when it does not exist. */
export async function readDroplet(client: ApiClient, id: number): Promise<DropletRef | undefined> {
  try {
    const res = await client.request('GET', `/v2/droplets/${id}`, { retry: 'safe' })
    return toDropletRef(isObject(res.body) ? res.body.droplet : undefined)
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return undefined
    throw e
  }
}
