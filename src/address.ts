/**
 * Address handling: strict parsing and canonical forms of IPv4 and IPv6 addresses.
 *
 * Only a bare address is accepted: no CIDR suffix, port, zone, brackets, whitespace inside,
 * or any character that could change the meaning of a URL path once the address is put into one.
 */

export type IpVersion = 4 | 6

export interface Address {
  /** Canonical text: dotted quad for IPv4, RFC 5952 form for IPv6. */
  readonly text: string
  readonly version: IpVersion
}

const IPV4_OCTET = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])$/

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  const octets: number[] = []
  for (const part of parts) {
    // Leading zeros are refused: "010" reads as octal to some tools and decimal to others.
    if (!IPV4_OCTET.test(part)) return undefined
    octets.push(Number(part))
  }
  return octets
}

function parseIpv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined
  let head = text
  let tailGroups: number[] = []
  // An embedded dotted quad may stand for the last 32 bits.
  const lastColon = text.lastIndexOf(':')
  if (text.includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1))
    if (!v4) return undefined
    tailGroups = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]]
    head = text.slice(0, lastColon + 1)
    if (head.endsWith('::')) {
      // keep "::" intact
    } else if (head.endsWith(':')) {
      head = head.slice(0, -1)
    }
  }
  const doubleColon = head.indexOf('::')
  if (doubleColon !== -1 && head.indexOf('::', doubleColon + 1) !== -1) return undefined
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return []
    const out: number[] = []
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
      out.push(parseInt(g, 16))
    }
    return out
  }
  let groups: number[]
  if (doubleColon === -1) {
    const all = parseGroups(head)
    if (!all) return undefined
    groups = [...all, ...tailGroups]
    if (groups.length !== 8) return undefined
  } else {
    const left = parseGroups(head.slice(0, doubleColon))
    const right = parseGroups(head.slice(doubleColon + 2))
    if (!left || !right) return undefined
    const known = left.length + right.length + tailGroups.length
    // "::" stands for at least one group of zeros.
    if (known > 7) return undefined
    groups = [...left, ...new Array<number>(8 - known).fill(0), ...right, ...tailGroups]
  }
  return groups
}

/** RFC 5952: lowercase, no leading zeros, the longest run (2+) of zero groups as "::", leftmost on a tie. */
function formatIpv6(groups: number[]): string {
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestLen < 2) return hex.join(':')
  const left = hex.slice(0, bestStart).join(':')
  const right = hex.slice(bestStart + bestLen).join(':')
  return `${left}::${right}`
}

/**
 * Parses one address. Surrounding white space is ignored; anything else that is not part of a
 * plain address makes it invalid. Returns undefined when the text is not an address.
 */
export function parseAddress(input: string): Address | undefined {
  const text = input.trim()
  if (text === '' || text.length > 45) return undefined
  if (text.includes(':')) {
    const groups = parseIpv6(text)
    return groups ? { text: formatIpv6(groups), version: 6 } : undefined
  }
  const octets = parseIpv4(text)
  return octets ? { text: octets.join('.'), version: 4 } : undefined
}

/** The canonical text of an address as the API reports it, or the text unchanged if it does not parse. */
export function canonicalText(text: string): string {
  return parseAddress(text)?.text ?? text
}
