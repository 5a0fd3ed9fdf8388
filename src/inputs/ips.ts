/** The ip input: one address, or for assign/unassign several (newlines, commas or spaces between them). */
import { type Address, parseAddress } from './address.js'
import { InputError, splitList } from './field.js'
import type { Operation } from './operation.js'

/** At least one address, the first in front: what an operation that needs ip is given. */
export type Addresses = readonly [Address, ...Address[]]

/** Most addresses one cutover takes: each is its own action, and all share the rate limit. */
export const MAX_ADDRESSES = 20
const MULTI_IP: ReadonlySet<Operation> = new Set(['assign', 'unassign'])

/** Every address given, in order, canonical; judged for the operation's count and, for assign, the one-IPv4 rule. */
export function parseIps(raw: string, operation: Operation): Address[] {
  const items = splitList(raw)
  if (items.length > 1 && !MULTI_IP.has(operation)) {
    throw new InputError('ip', `operation '${operation}' takes one address, got ${items.length}`)
  }
  if (items.length > MAX_ADDRESSES) {
    throw new InputError('ip', `at most ${MAX_ADDRESSES} addresses in one step, got ${items.length}`)
  }
  const out: Address[] = []
  for (const item of items) {
    const addr = parseAddress(item)
    if (!addr) {
      throw new InputError('ip', `'${item}' is not an IPv4 or IPv6 address (no CIDR, port, brackets or path)`)
    }
    if (out.some((a) => a.text === addr.text)) {
      throw new InputError('ip', `${addr.text} is given twice`)
    }
    out.push(addr)
  }
  if (operation === 'assign') checkOneIpv4(out)
  return out
}

/** DigitalOcean lets a droplet hold one reserved IPv4 at a time: one assign cannot give it two. */
function checkOneIpv4(addrs: readonly Address[]): void {
  const v4 = addrs.filter((a) => a.version === 4)
  if (v4.length > 1) {
    throw new InputError(
      'ip',
      `${v4.map((a) => a.text).join(' and ')} are all IPv4, but a droplet can hold only one reserved IPv4 at a time (DigitalOcean refuses a second): give one IPv4, with IPv6 addresses beside it if you like`
    )
  }
}

/** The addresses of an operation that needs ip (assign, unassign, get, delete). */
export function needIps(ips: readonly Address[], operation: Operation): Addresses {
  const [first, ...rest] = ips
  if (!first) throw new InputError('ip', `operation '${operation}' needs the address to act on`)
  return [first, ...rest]
}

/** An operation that acts on no given address refuses ip. */
export function noIps(ips: readonly Address[], operation: Operation): void {
  if (ips.length > 0) throw new InputError('ip', `is not used by operation '${operation}'; remove it`)
}
