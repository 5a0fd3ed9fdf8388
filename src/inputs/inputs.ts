/**
 * Input parsing and validation. Every input is judged here, before any request is sent, in a fixed
 * order (the first problem found is thrown as an InputError that names the input), and every
 * operation refuses by name the inputs it does not use. Parsing yields the inputs of one operation:
 * a union keyed by `operation`, each member with exactly the fields that operation uses, so that an
 * operation never checks an input again.
 */
import type { Address, IpVersion } from './address.js'
import { type InputReader, parseBoolean } from './field.js'
import { type Addresses, needIps, noIps, parseIps } from './ips.js'
import { parseMovesInput, type Move } from './moves.js'
import { type Operation, parseOperation } from './operation.js'
import { parseProbing, type Probing } from './probes.js'
import { parsePruneOptions, type PruneOptions } from './prune.js'
import { parseApiUrl, parseTimeout, parseToken } from './step.js'
import {
  createIpVersion,
  createPlacement,
  createProjectId,
  ipVersionFilter,
  needDroplet,
  noDroplet,
  noProjectId,
  noRegion,
  parseDroplet,
  parseExpected,
  parseRegion,
  type CreatePlacement,
  type DropletSelector
} from './target.js'

export { InputError, type InputReader } from './field.js'
export type { DropletSelector } from './target.js'
export type { PrecheckInputs, ProbeRules, VerifyInputs } from './probes.js'

/** What every operation takes. */
interface StepInputs {
  readonly token: string
  readonly apiUrl: URL
  /** timeout: all the step may spend waiting, in ms. */
  readonly timeoutMs: number
}

/** assign and unassign: one cutover of one or more addresses, moved in parallel. */
export interface CutoverInputs extends StepInputs {
  /** Every address of the cutover, in the order given. */
  readonly ips: Addresses
  /** Go ahead only while each address is held by this droplet (null: by none); undefined: no guard. */
  readonly expectedDropletId?: number | null
  readonly wait: boolean
  /** Move back what this step moved when an address cannot be moved or verification fails. */
  readonly rollback: boolean
}

/** assign: the cutover to a droplet, probed before (precheck) and after (verify) when asked. */
export interface AssignInputs extends CutoverInputs, Probing {
  readonly operation: 'assign'
  readonly droplet: DropletSelector
}

export interface UnassignInputs extends CutoverInputs {
  readonly operation: 'unassign'
}

/** create: a new address of ipVersion, in a region or onto a droplet (or both). */
export type CreateInputs = StepInputs &
  CreatePlacement & {
    readonly operation: 'create'
    readonly ipVersion: IpVersion
    /** The project of a new IPv4 reserved in a region. */
    readonly projectId?: string
    readonly wait: boolean
  }

export interface GetInputs extends StepInputs {
  readonly operation: 'get'
  readonly ip: Address
}

export interface DeleteInputs extends StepInputs {
  readonly operation: 'delete'
  readonly ip: Address
}

/** Which addresses list and prune look at: one family or both (undefined), one region or all (undefined). */
interface Scope {
  readonly ipVersion?: IpVersion
  readonly region?: string
}

export interface ListInputs extends StepInputs, Scope {
  readonly operation: 'list'
}

export interface PruneInputs extends StepInputs, Scope, PruneOptions {
  readonly operation: 'prune'
}

export interface RollbackInputs extends StepInputs {
  readonly operation: 'rollback'
  /** What the earlier step moved, each to go back to `from` while still on `to`. */
  readonly moves: readonly Move[]
}

export type Inputs =
  AssignInputs | UnassignInputs | CreateInputs | GetInputs | ListInputs | DeleteInputs | PruneInputs | RollbackInputs

/** The inputs of one operation. */
export type InputsOf<O extends Operation> = Extract<Inputs, { readonly operation: O }>

/** What an operation's parser reads from, and what was judged before it: the operation, the token, api_url and ip. */
interface Given {
  /** An input with its surrounding white space removed. */
  readonly get: (name: string) => string
  /** An input as given (lists and JSON keep their lines). */
  readonly read: InputReader
  readonly operation: Operation
  readonly token: string
  readonly apiUrl: URL
  readonly ips: readonly Address[]
}

/**
 * Reads and validates every input, in a fixed order (the first problem is the one reported):
 * operation, token, api_url, ip, the target and scope (droplet_*, region, ip_version, project_id),
 * then the settings (see parseSettings).
 * `env` supplies the token fallbacks (DIGITALOCEAN_ACCESS_TOKEN, then DIGITALOCEAN_TOKEN).
 */
export function parseInputs(read: InputReader, env: Record<string, string | undefined>): Inputs {
  const get = (name: string): string => read(name).trim()
  const operation = parseOperation(get('operation'))
  const token = parseToken(get('token'), env)
  const apiUrl = parseApiUrl(get('api_url'))
  const ips = parseIps(get('ip'), operation)
  return PARSERS[operation]({ get, read, operation, token, apiUrl, ips })
}

/** The addresses the step was given (ip, canonical), for a report when the operation fails or is cancelled. */
export function givenAddresses(inputs: Inputs | undefined): string[] {
  if (!inputs) return []
  if ('ips' in inputs) return inputs.ips.map((a) => a.text)
  return 'ip' in inputs ? [inputs.ip.text] : []
}

/** Each operation's parser: what it needs of ip, droplet_* and region, then the settings every operation judges. */
const PARSERS: { readonly [O in Operation]: (given: Given) => InputsOf<O> } = {
  assign: (given) => {
    const ips = needIps(given.ips, 'assign')
    const droplet = needDroplet(given.read)
    judgeUnusedScope(given)
    const settings = parseSettings(given, ips.length)
    return { ...cutoverOf(given, settings, ips), operation: 'assign', droplet, ...settings.probing }
  },
  unassign: (given) => {
    const ips = needIps(given.ips, 'unassign')
    noDroplet(given.read, 'unassign')
    judgeUnusedScope(given)
    return { ...cutoverOf(given, parseSettings(given, ips.length), ips), operation: 'unassign' }
  },
  create: parseCreate,
  get: (given) => ({ ...oneAddress(given), operation: 'get' }),
  delete: (given) => ({ ...oneAddress(given), operation: 'delete' }),
  list: (given) => ({ ...scoped(given).inputs, operation: 'list' }),
  prune: (given) => {
    const { inputs, settings } = scoped(given)
    return { ...inputs, ...settings.prune, operation: 'prune' }
  },
  rollback: (given) => {
    noIps(given.ips, 'rollback')
    noDroplet(given.read, 'rollback')
    judgeUnusedScope(given)
    const settings = parseSettings(given, 0)
    return { ...stepOf(given, settings), operation: 'rollback', moves: settings.moves }
  }
}

function parseCreate(given: Given): CreateInputs {
  noIps(given.ips, 'create')
  const droplet = parseDroplet(given.read)
  const placement = createPlacement(parseRegion(given.get('region')), droplet)
  const ipVersion = createIpVersion(given.get('ip_version'))
  const projectId = createProjectId(given.get('project_id'), ipVersion, placement)
  const settings = parseSettings(given, 0)
  return { ...stepOf(given, settings), ...placement, operation: 'create', ipVersion, projectId, wait: settings.wait }
}

/** get and delete: the one address. */
function oneAddress(given: Given): StepInputs & { readonly ip: Address } {
  const [ip] = needIps(given.ips, given.operation)
  noDroplet(given.read, given.operation)
  judgeUnusedScope(given)
  return { ...stepOf(given, parseSettings(given, 1)), ip }
}

/** list and prune: every address of the account within region and ip_version. */
function scoped(given: Given): { inputs: StepInputs & Scope; settings: Settings } {
  noIps(given.ips, given.operation)
  noDroplet(given.read, given.operation)
  const region = parseRegion(given.get('region'))
  const ipVersion = ipVersionFilter(given.get('ip_version'), given.operation, given.ips)
  noProjectId(given.get('project_id'))
  const settings = parseSettings(given, 0)
  return { inputs: { ...stepOf(given, settings), region, ipVersion }, settings }
}

/** region and project_id, refused where the operation takes neither; ip_version, which must agree with ip. */
function judgeUnusedScope(given: Given): void {
  noRegion(given.get('region'), given.operation)
  ipVersionFilter(given.get('ip_version'), given.operation, given.ips)
  noProjectId(given.get('project_id'))
}

/** The inputs judged after the target and scope, for every operation (each refuses what its operation does not use). */
interface Settings {
  readonly wait: boolean
  readonly timeoutMs: number
  readonly prune: PruneOptions
  readonly expectedDropletId?: number | null
  readonly probing: Probing
  readonly rollback: boolean
  readonly moves: readonly Move[]
}

/** wait, timeout, prune's inputs, expected_droplet_id, the probes' inputs, rollback and moves, in that order. */
function parseSettings(given: Given, addresses: number): Settings {
  const { get, operation } = given
  const wait = parseBoolean('wait', get('wait'), true)
  const timeoutMs = parseTimeout(get('timeout'))
  const prune = parsePruneOptions(get, given.read, operation)
  const expectedDropletId = parseExpected(get('expected_droplet_id'), operation)
  const probing = parseProbing(get, operation, wait, addresses)
  const rollback = parseBoolean('rollback', get('rollback'), true)
  const moves = parseMovesInput(given.read('moves'), operation)
  return { wait, timeoutMs, prune, expectedDropletId, probing, rollback, moves }
}

function stepOf(given: Given, settings: Settings): StepInputs {
  return { token: given.token, apiUrl: given.apiUrl, timeoutMs: settings.timeoutMs }
}

function cutoverOf(given: Given, settings: Settings, ips: Addresses): CutoverInputs {
  const { wait, expectedDropletId, rollback } = settings
  return { ...stepOf(given, settings), ips, expectedDropletId, wait, rollback }
}
