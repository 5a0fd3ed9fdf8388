/**
 * The `moves` input of `rollback`: the `moves` output of an earlier assign/unassign step, a JSON
 * array of `{ "ip", "from", "to" }` (droplet ids, null for none). Judged whole before any request.
 */
import { parseAddress, type Address } from './address.js'
import { InputError } from './field.js'
import { MAX_ADDRESSES } from './ips.js'
import type { Operation } from './operation.js'

/** One address an earlier step moved: from where, to where (null: no droplet). */
export interface Move {
  readonly addr: Address
  readonly from: number | null
  readonly to: number | null
}

/** What is wrong with a `moves` that is not that JSON. */
const bad = (detail: string): InputError => new InputError('moves', detail)

const isDropletId = (v: unknown): v is number | null =>
  v === null || (typeof v === 'number' && Number.isSafeInteger(v) && v > 0)

function parseEntry(entry: unknown, index: number): Move {
  const at = `entry ${index + 1}`
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw bad(`${at} is not an object { "ip", "from", "to" }`)
  }
  const { ip, from, to, ...rest } = entry as Record<string, unknown>
  const extra = Object.keys(rest)
  if (extra.length > 0) throw bad(`${at} has unknown keys: ${extra.join(', ')}`)
  const addr = typeof ip === 'string' ? parseAddress(ip) : undefined
  if (!addr) throw bad(`${at}: "ip" is not an IPv4 or IPv6 address`)
  if (!isDropletId(from) || !isDropletId(to)) {
    throw bad(`${at} (${addr.text}): "from" and "to" must each be a droplet id (a positive integer) or null`)
  }
  return { addr, from, to }
}

/** moves: rollback's only input, refused elsewhere; [] for an empty input or `[]` (nothing to undo). */
export function parseMovesInput(raw: string, operation: Operation): Move[] {
  if (operation !== 'rollback') {
    if (raw.trim() !== '')
      throw new InputError('moves', `applies to rollback only; remove it from operation '${operation}'`)
    return []
  }
  const moves = parseMoves(raw)
  if (moves.length > MAX_ADDRESSES) {
    throw new InputError('moves', `at most ${MAX_ADDRESSES} addresses in one step, got ${moves.length}`)
  }
  return moves
}

function parseMoves(raw: string): Move[] {
  if (raw.trim() === '') return []
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    throw bad('is not JSON; pass the moves output of the assign or unassign step')
  }
  if (!Array.isArray(parsed)) throw bad('must be a JSON array of { "ip", "from", "to" }')
  const moves = parsed.map(parseEntry)
  const seen = new Set<string>()
  for (const m of moves) {
    if (seen.has(m.addr.text)) throw bad(`${m.addr.text} is given twice`)
    seen.add(m.addr.text)
  }
  return moves
}

/** The `moves` output: one entry per address, as `rollback` takes it. */
export function movesJson(moves: readonly Move[]): string {
  return JSON.stringify(moves.map((m) => ({ ip: m.addr.text, from: m.from, to: m.to })))
}
