/**
 * IP address text: parsing any textual form, the canonical form (RFC 5952 for IPv6), the pools new
 * reserved addresses come from, and the addresses a droplet gets of its own.
 */

/** @typedef {4 | 6} IpVersion */

/**
 * Parses dotted-quad IPv4 (no leading zeros) into an unsigned 32-bit number.
 * @param {string} text
 * @returns {number | undefined}
 */
export function parseIPv4(text) {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  let n = 0
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined
    const v = Number(part)
    if (v > 255) return undefined
    n = n * 256 + v
  }
  return n
}

/** @param {number} n */
function formatIPv4(n) {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

/**
 * Parses any textual IPv6 (compressed, upper case, embedded IPv4 tail) into eight 16-bit groups.
 * @param {string} text
 * @returns {number[] | undefined}
 */
function parseIPv6(text) {
  let s = text.toLowerCase()
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1)
  if (!/^[0-9a-f:.]+$/.test(s)) return undefined
  /** @type {number[]} */
  let tail = []
  if (s.includes('.')) {
    const lastColon = s.lastIndexOf(':')
    if (lastColon < 0) return undefined
    const v4 = parseIPv4(s.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    tail = [v4 >>> 16, v4 & 0xffff]
    s = s.slice(0, lastColon + 1)
    if (!s.endsWith('::')) s = s.slice(0, -1)
  }
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const toGroups = (/** @type {string} */ part) => (part === '' ? [] : part.split(':'))
  const head = toGroups(halves[0])
  const rest = halves.length === 2 ? toGroups(halves[1]) : []
  for (const g of [...head, ...rest]) if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined
  const explicit = head.length + rest.length + tail.length
  if (halves.length === 1 && explicit !== 8) return undefined
  if (halves.length === 2 && explicit > 7) return undefined
  const zeros = new Array(8 - explicit).fill(0)
  return [
    ...head.map((g) => parseInt(g, 16)),
    ...(halves.length === 2 ? zeros : []),
    ...rest.map((g) => parseInt(g, 16)),
    ...tail
  ]
}

/**
 * RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as '::'.
 * @param {number[]} groups
 */
function formatIPv6(groups) {
  let bestStart = -1
  let bestLen = 1
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
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`
}

/**
 * The canonical form and family of an IP address text, or undefined when it is none.
 * @param {unknown} text
 * @returns {{ ip: string, version: IpVersion } | undefined}
 */
export function canonicalIp(text) {
  if (typeof text !== 'string') return undefined
  let s = text.trim()
  try {
    s = decodeURIComponent(s)
  } catch {
    return undefined
  }
  if (s.includes(':')) {
    const groups = parseIPv6(s)
    return groups ? { ip: formatIPv6(groups), version: 6 } : undefined
  }
  const n = parseIPv4(s)
  return n === undefined ? undefined : { ip: formatIPv4(n), version: 4 }
}

/** IPv4 pool: 203.0.113.10-254, then 198.51.100.1-254, then 45.55.0.1 upwards across /16s (skipping .0 and .255). */
export function* ipv4Pool() {
  for (let i = 10; i <= 254; i++) yield `203.0.113.${i}`
  for (let i = 1; i <= 254; i++) yield `198.51.100.${i}`
  for (let second = 55; second <= 255; second++) {
    for (let third = 0; third <= 255; third++) {
      for (let fourth = 1; fourth <= 254; fourth++) yield `45.${second}.${third}.${fourth}`
    }
  }
}

/** IPv6 pool: 2001:db8:10::1 upwards. */
export function* ipv6Pool() {
  for (let n = 1; n < 2 ** 32; n++) yield formatIPv6([0x2001, 0xdb8, 0x10, 0, 0, 0, Math.floor(n / 65536), n % 65536])
}

/**
 * The addresses a droplet gets when it is created, as a DigitalOcean droplet has them: a public IPv4
 * (198.18.0.0/15), a private VPC IPv4 (10.108.0.0/14) and, with IPv6 enabled, a public IPv6
 * (2001:db8:d0::/64, apart from the reserved IPv6 pool). Derived from the droplet's id; the next
 * number is tried while one is taken (ids that differ by a multiple of the range).
 */
const OWN_ADDRESS_FORMATS = {
  publicV4: (/** @type {number} */ n) => `198.${18 + ((n >>> 16) & 1)}.${(n >>> 8) & 255}.${n & 255}`,
  privateV4: (/** @type {number} */ n) => `10.${108 + ((n >>> 16) & 3)}.${(n >>> 8) & 255}.${n & 255}`,
  publicV6: (/** @type {number} */ n) =>
    formatIPv6([0x2001, 0xdb8, 0xd0, 0, 0, 0, Math.floor(n / 65536) % 65536, n % 65536])
}

/** A free address of the kind for droplet id (see OWN_ADDRESS_FORMATS); .0 and .255 are skipped. */
/**
 * @param {keyof typeof OWN_ADDRESS_FORMATS} kind
 * @param {number} id
 * @param {Map<string, number>} taken
 */
export function ownAddress(kind, id, taken) {
  for (let n = id; ; n++) {
    if (kind !== 'publicV6' && ((n & 255) === 0 || (n & 255) === 255)) continue
    const address = OWN_ADDRESS_FORMATS[kind](n)
    if (!taken.has(address)) return address
  }
}
