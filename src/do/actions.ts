/**
 * DigitalOcean's actions on reserved addresses: starting an assign or unassign
 * (POST /v2/reserved_ips/{ip}/actions, /v2/reserved_ipv6/{ip}/actions), reading one
 * (GET /v2/actions/{id}), and an IPv4's list of them. Each call takes the context it runs in.
 */
import type { Address } from '../inputs/address.js'
import { ApiError, type ApiClient, type RequestContext } from '../transport/http.js'
import { isObject, textOf, type ActionObject, type Loose } from './api-types.js'
import { ipPath, isNotFound, pageInfo, timeOf } from './ips.js'

export interface ActionRecord {
  readonly id: number
  readonly status: string
  readonly type: string
  readonly raw: unknown
}

export type IpActionRequest = { readonly type: 'assign'; readonly dropletId: number } | { readonly type: 'unassign' }

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

/** The id, status and type of an action object; undefined when it is not one (it has no id). */
function basicsOf(obj: unknown): Pick<ActionRecord, 'id' | 'status' | 'type'> | undefined {
  if (!isObject(obj)) return undefined
  const a = obj as Loose<ActionObject>
  return typeof a.id === 'number' ? { id: a.id, status: textOf(a.status), type: textOf(a.type) } : undefined
}

function toAction(body: unknown): ActionRecord {
  const inner = isObject(body) && isObject(body.action) ? body.action : body
  const basics = basicsOf(inner)
  if (!basics) throw new Error("DigitalOcean's answer holds no action object")
  return { ...basics, raw: inner }
}

function toPastAction(obj: unknown): PastAction | undefined {
  const basics = basicsOf(obj)
  if (!basics) return undefined
  const a = obj as Loose<ActionObject>
  return { ...basics, startedAt: timeOf(a.started_at), completedAt: timeOf(a.completed_at) }
}

/** The action objects of a list answer that can be read. */
function actionsOf(body: unknown): ActionRecord[] {
  const list: unknown[] = isObject(body) && Array.isArray(body.actions) ? body.actions : []
  return list.flatMap((a) => {
    try {
      return [toAction(a)]
    } catch {
      return []
    }
  })
}

export class ActionsService {
  constructor(private readonly http: ApiClient) {}

  /** Starts an assign or unassign. Sent once; the caller decides what a lost answer means. */
  async start(ctx: RequestContext, addr: Address, action: IpActionRequest): Promise<ActionRecord> {
    const body = action.type === 'assign' ? { type: 'assign', droplet_id: action.dropletId } : { type: 'unassign' }
    const res = await this.http.request(ctx, 'POST', `${ipPath(addr)}/actions`, { body, retry: 'once' })
    return toAction(res.body)
  }

  /** Reads an action; null when DigitalOcean does not know it (seen for completed actions on some IPs). */
  async get(ctx: RequestContext, id: number): Promise<ActionRecord | null> {
    try {
      const res = await this.http.request(ctx, 'GET', `/v2/actions/${id}`, { retry: 'safe' })
      return toAction(res.body)
    } catch (e) {
      if (isNotFound(e)) return null
      throw e
    }
  }

  /** IPv4 only: the newest in-progress action on an IP, if DigitalOcean lists one. */
  async inProgress(ctx: RequestContext, addr: Address): Promise<ActionRecord | undefined> {
    if (addr.version !== 4) return undefined
    let res
    try {
      res = await this.http.request(ctx, 'GET', `${ipPath(addr)}/actions`, { retry: 'safe' })
    } catch (e) {
      // Without the list, the caller watches the IP itself.
      if (e instanceof ApiError) return undefined
      throw e
    }
    return actionsOf(res.body)
      .filter((a) => a.status === 'in-progress')
      .sort((a, b) => b.id - a.id)[0]
  }

  /**
   * IPv4 only: the first page of the actions DigitalOcean lists for the IP (GET .../actions). The
   * description gives this list no paging parameters, so only its first page can be asked for.
   */
  async history(ctx: RequestContext, addr: Address): Promise<ActionHistory> {
    const res = await this.http.request(ctx, 'GET', `${ipPath(addr)}/actions`, { retry: 'safe' })
    const body = isObject(res.body) ? res.body : {}
    const list = Array.isArray(body.actions) ? (body.actions as unknown[]) : []
    const actions = list.map(toPastAction).filter((a): a is PastAction => a !== undefined)
    const { total, hasNext } = pageInfo(body)
    return { actions, total, more: hasNext || (total !== undefined && total > actions.length) }
  }
}
