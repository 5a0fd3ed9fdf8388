/** prune's own inputs: dry_run, keep, keep_dns, max_release and unassigned_for, refused by name elsewhere. */
import { type Address, parseAddress } from './address.js'
import { DAY_MS, parseDuration } from './durations.js'
import { InputError, parseBoolean, splitList } from './field.js'
import type { Operation } from './operation.js'

export interface PruneOptions {
  /** Report what would be released, and release nothing. */
  readonly dryRun: boolean
  /** Addresses never released. */
  readonly keep: readonly Address[]
  /** Spare every address that an A or AAAA record of the account's DNS points at. */
  readonly keepDns: boolean
  /** When more addresses would be released than this, none is. */
  readonly maxRelease: number
  /** Release only addresses idle at least this long (ms); undefined without unassigned_for. */
  readonly unassignedForMs?: number
}

const DEFAULT_MAX_RELEASE = 10
const MAX_MAX_RELEASE = 100_000
const MAX_UNASSIGNED_FOR_MS = 3650 * DAY_MS

/** Every prune input, in order; another operation gets the defaults and refuses any other value. */
export function parsePruneOptions(
  get: (name: string) => string,
  read: (name: string) => string,
  operation: Operation
): PruneOptions {
  const dryRun = parseBoolean('dry_run', get('dry_run'), false)
  if (dryRun && operation !== 'prune') {
    throw new InputError('dry_run', `applies to prune only; operation '${operation}' has no dry run`)
  }
  return { dryRun, keep: parseKeep(read('keep'), operation), ...parsePruneGuards(get, operation) }
}

function parseKeep(raw: string, operation: Operation): Address[] {
  const keep: Address[] = []
  for (const item of splitList(raw)) {
    const addr = parseAddress(item)
    if (!addr) throw new InputError('keep', `'${item}' is not an IPv4 or IPv6 address`)
    keep.push(addr)
  }
  if (keep.length > 0 && operation !== 'prune') {
    throw new InputError('keep', `applies to prune only; remove it from operation '${operation}'`)
  }
  return keep
}

/** keep_dns, max_release and unassigned_for: prune's guards. */
function parsePruneGuards(
  get: (name: string) => string,
  operation: Operation
): Pick<PruneOptions, 'keepDns' | 'maxRelease' | 'unassignedForMs'> {
  const onlyPrune = (name: string): InputError =>
    new InputError(name, `applies to prune only; remove it from operation '${operation}'`)
  const keepDns = parseBoolean('keep_dns', get('keep_dns'), false)
  if (keepDns && operation !== 'prune') throw onlyPrune('keep_dns')
  const maxRaw = get('max_release')
  if (maxRaw !== '' && (!/^[0-9]{1,6}$/.test(maxRaw) || Number(maxRaw) > MAX_MAX_RELEASE)) {
    throw new InputError('max_release', `must be a whole number from 0 to ${MAX_MAX_RELEASE}, got '${maxRaw}'`)
  }
  // action.yml's default arrives with every operation: only another value is refused outside prune.
  if (maxRaw !== '' && Number(maxRaw) !== DEFAULT_MAX_RELEASE && operation !== 'prune') throw onlyPrune('max_release')
  const idleRaw = get('unassigned_for')
  if (idleRaw !== '' && operation !== 'prune') throw onlyPrune('unassigned_for')
  return {
    keepDns,
    maxRelease: maxRaw === '' ? DEFAULT_MAX_RELEASE : Number(maxRaw),
    unassignedForMs:
      idleRaw === '' ? undefined : parseDuration('unassigned_for', idleRaw, { minMs: 1, maxMs: MAX_UNASSIGNED_FOR_MS })
  }
}
