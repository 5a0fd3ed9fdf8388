/**
 * The shapes of DigitalOcean's answers, as far as the action reads them. Every field named here
 * is checked against the repository's copy of DigitalOcean's OpenAPI description by
 * __tests__/unit/api-types.test.ts, so a field the API does not have cannot creep in.
 *
 * Answers are still read defensively (every value is checked before use): these types say what
 * the fields are, not that the server sent them.
 */
import type { ErrorObject, Loose } from '../transport/error-object.js'

export type { ErrorObject, Loose }

export interface RegionObject {
  readonly slug: string
  readonly name: string
}

export interface DropletObject {
  readonly id: number
  readonly name: string
  readonly region: RegionObject
  readonly tags: readonly string[]
  /** 'ipv6' among them when IPv6 is enabled. */
  readonly features: readonly string[]
  readonly networks: { readonly v4: readonly NetworkObject[]; readonly v6: readonly NetworkObject[] }
}

/** One entry of a droplet's `networks.v4` or `networks.v6`. */
export interface NetworkObject {
  readonly ip_address: string
  readonly type: string
}

/** A reserved IPv4 (`reserved_ip` / `floating_ip`). */
export interface ReservedIpObject {
  readonly ip: string
  readonly region: RegionObject
  readonly droplet: DropletObject | null
  readonly locked: boolean
  readonly project_id: string
}

/** A reserved IPv6 (`reserved_ipv6`). */
export interface ReservedIpv6Object {
  readonly ip: string
  readonly region_slug: string
  readonly reserved_at: string
  readonly droplet: DropletObject | null
}

export interface ActionObject {
  readonly id: number
  readonly status: string
  readonly type: string
  readonly started_at: string
  readonly completed_at: string | null
  readonly resource_id: number | null
  readonly resource_type: string
}

export interface PageLinks {
  readonly pages?: { readonly first?: string; readonly prev?: string; readonly next?: string; readonly last?: string }
}

export interface ListMeta {
  readonly total: number
}

/** One action link in the answer to a create onto a droplet (`links.actions`). */
export interface ActionLink {
  readonly id: number
  readonly rel: string
  readonly href: string
}

/** A DNS zone of the account (`GET /v2/domains`). */
export interface DomainObject {
  readonly name: string
}

/** A record of a DNS zone (`GET /v2/domains/{domain_name}/records`). */
export interface DomainRecordObject {
  readonly id: number
  readonly type: string
  readonly name: string
  readonly data: string
}

/** A plain JSON object of an answer. */
export type Json = Record<string, unknown>

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A string field of an answer, or `otherwise` when it is absent or not a string. */
export const textOf = (v: unknown, otherwise = ''): string => (typeof v === 'string' ? v : otherwise)

/**
 * A list of the fields of T that must name every one of them: a field of T left out of the list
 * (or one T does not have) fails to compile.
 */
const fieldsOf =
  <T>() =>
  <const L extends readonly (keyof T)[]>(
    list: L & ([Exclude<keyof T, L[number]>] extends [never] ? unknown : never)
  ): L =>
    list

/** The fields of each shape, for the test that holds them against the OpenAPI description. */
export const FIELDS = {
  region: fieldsOf<RegionObject>()(['slug', 'name']),
  droplet: fieldsOf<DropletObject>()(['id', 'name', 'region', 'tags', 'features', 'networks']),
  network: fieldsOf<NetworkObject>()(['ip_address', 'type']),
  reserved_ip: fieldsOf<ReservedIpObject>()(['ip', 'region', 'droplet', 'locked', 'project_id']),
  reserved_ipv6: fieldsOf<ReservedIpv6Object>()(['ip', 'region_slug', 'reserved_at', 'droplet']),
  action: fieldsOf<ActionObject>()([
    'id',
    'status',
    'type',
    'started_at',
    'completed_at',
    'resource_id',
    'resource_type'
  ]),
  error: fieldsOf<ErrorObject>()(['id', 'message', 'request_id']),
  action_link: fieldsOf<ActionLink>()(['id', 'rel', 'href']),
  domain: fieldsOf<DomainObject>()(['name']),
  domain_record: fieldsOf<DomainRecordObject>()(['id', 'type', 'name', 'data'])
}
