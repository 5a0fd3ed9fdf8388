/**
 * Where an operation acts: the target droplet (droplet_id, droplet_name or droplet_tag), the
 * region, the address family (ip_version), the project of a new address, and the droplet a
 * cutover expects to find the address on (expected_droplet_id).
 */
import type { Address, IpVersion } from './address.js'
import { type InputReader, InputError } from './field.js'
import type { Operation } from './operation.js'

export type DropletSelector =
  | { readonly kind: 'id'; readonly id: number }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'tag'; readonly tag: string }

/** Where create reserves: in a region, onto a droplet, or both (the region then must be the droplet's). */
export type CreatePlacement =
  | { readonly region: string; readonly droplet?: DropletSelector }
  | { readonly region?: string; readonly droplet: DropletSelector }

const DROPLET_ID = /^[1-9][0-9]{0,15}$/
// Droplet names: letters, digits, dots, dashes and underscores (what DigitalOcean accepts as a hostname).
const DROPLET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/
// Tags: letters, digits, colons, dashes, dots and underscores, up to 255 characters.
const DROPLET_TAG = /^[A-Za-z0-9:._-]{1,255}$/
const REGION = /^[a-z]{2,10}[0-9]{0,3}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const isDropletId = (text: string): boolean => DROPLET_ID.test(text) && Number.isSafeInteger(Number(text))

/** The droplet given, if any: at most one of droplet_id, droplet_name, droplet_tag. */
export function parseDroplet(read: InputReader): DropletSelector | undefined {
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
    if (!isDropletId(id)) throw new InputError('droplet_id', `must be a positive integer, got '${id}'`)
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

/** assign's target: one of droplet_id, droplet_name, droplet_tag. */
export function needDroplet(read: InputReader): DropletSelector {
  const droplet = parseDroplet(read)
  if (!droplet) {
    throw new InputError('droplet_id', "operation 'assign' needs a target: droplet_id, droplet_name or droplet_tag")
  }
  return droplet
}

/** An operation without a target droplet refuses droplet_id, droplet_name and droplet_tag. */
export function noDroplet(read: InputReader, operation: Operation): void {
  const droplet = parseDroplet(read)
  if (!droplet) return
  const name = droplet.kind === 'id' ? 'droplet_id' : `droplet_${droplet.kind}`
  const hint = operation === 'unassign' ? ' (to guard an unassign, use expected_droplet_id)' : ''
  throw new InputError(name, `is not used by operation '${operation}'${hint}; remove it`)
}

/** region: a slug, or undefined when not given. */
export function parseRegion(raw: string): string | undefined {
  const region = raw.toLowerCase()
  if (region === '') return undefined
  if (!REGION.test(region)) throw new InputError('region', `'${region}' is not a region slug (like nyc3)`)
  return region
}

/** Only create, list and prune take a region. */
export function noRegion(raw: string, operation: Operation): void {
  if (parseRegion(raw) !== undefined) {
    throw new InputError('region', `is not used by operation '${operation}' (only create, list and prune); remove it`)
  }
}

/** create needs a region or a droplet. */
export function createPlacement(region: string | undefined, droplet: DropletSelector | undefined): CreatePlacement {
  if (droplet) return { region, droplet }
  if (region !== undefined) return { region }
  throw new InputError(
    'region',
    "operation 'create' needs a region or a droplet (droplet_id, droplet_name, droplet_tag)"
  )
}

/** ip_version as written: 4, 6, or undefined for 'all' and empty ('all' is refused by create). */
function readIpVersion(raw: string, operation: Operation): IpVersion | undefined {
  const versionRaw = raw.toLowerCase()
  if (versionRaw === '4' || versionRaw === '6') return Number(versionRaw) as IpVersion
  if (versionRaw === 'all') {
    // 'all' is the default everywhere but create: with an ip, the address picks the family.
    if (operation === 'create') throw new InputError('ip_version', "create reserves one address: use 4 or 6, not 'all'")
  } else if (versionRaw !== '') {
    throw new InputError('ip_version', `must be 4, 6 or all, got '${versionRaw}'`)
  }
  return undefined
}

/** ip_version as a filter (undefined: both families); it must agree with every ip given. */
export function ipVersionFilter(raw: string, operation: Operation, ips: readonly Address[]): IpVersion | undefined {
  const ipVersion = readIpVersion(raw, operation)
  const otherFamily = ips.find((a) => ipVersion !== undefined && a.version !== ipVersion)
  if (otherFamily) {
    throw new InputError(
      'ip_version',
      `is ${ipVersion} but ip ${otherFamily.text} is an IPv${otherFamily.version} address`
    )
  }
  return ipVersion
}

/** The family create reserves: 4 unless ip_version says 6. */
export const createIpVersion = (raw: string): IpVersion => readIpVersion(raw, 'create') ?? 4

function readProjectId(raw: string): string | undefined {
  const projectId = raw.toLowerCase()
  if (projectId === '') return undefined
  if (!UUID.test(projectId)) throw new InputError('project_id', `'${projectId}' is not a project UUID`)
  return projectId
}

const projectOnlyInRegion = (): InputError =>
  new InputError('project_id', 'applies only to create of an IPv4 address in a region (without a droplet)')

/** project_id: only create of an IPv4 address in a region, without a droplet, takes it. */
export function createProjectId(raw: string, version: IpVersion, placement: CreatePlacement): string | undefined {
  const projectId = readProjectId(raw)
  if (projectId !== undefined && (version !== 4 || !placement.region || placement.droplet)) throw projectOnlyInRegion()
  return projectId
}

export function noProjectId(raw: string): void {
  if (readProjectId(raw) !== undefined) throw projectOnlyInRegion()
}

const USES_EXPECTED: ReadonlySet<Operation> = new Set(['assign', 'unassign'])

/** expected_droplet_id: a droplet id, or null for 'none' (held by no droplet). */
export function parseExpected(raw: string, operation: Operation): number | null | undefined {
  const expected = raw.toLowerCase()
  if (expected === '') return undefined
  let id: number | null
  if (expected === 'none') {
    id = null
  } else if (isDropletId(expected)) {
    id = Number(expected)
  } else {
    throw new InputError('expected_droplet_id', `must be a positive integer or 'none', got '${expected}'`)
  }
  if (!USES_EXPECTED.has(operation)) {
    throw new InputError('expected_droplet_id', `applies to assign and unassign only, not '${operation}'`)
  }
  return id
}
