/**
 * Address handling: strict parsing and canonical forms of IPv4 and IPv6 addresses.
 *
 * Only a bare address is accepted: no CIDR suffix, port, zone, brackets, whitespace inside,
 * or any character that could change the meaning of a URL path once the address is put into one.
 */

import { isIPv4, isIPv6 } from 'node:net'

export type IpVersion = 4 | 6

export interface Address {
  /** Canonical text: dotted quad for IPv4, RFC 5952 form for IPv6. */
  readonly text: string
  readonly version: IpVersion
}

// Only the characters of a plain address: this refuses zones (%eth0), CIDR suffixes, ports,
// brackets and white space before node:net sees the text (isIPv6 accepts a zone).
const PLAIN = /^[0-9A-Fa-f:.]+$/

/** RFC 5952 text of a valid IPv6 address: the WHATWG URL serialiser writes exactly that form. */
function formatIpv6(text: string): string {
  return new URL(`http://[${text}]/`).hostname.slice(1, -1)
}

/**
 * Parses one address. Surrounding white space is ignored; anything else that is not part of a
 * plain address makes it invalid. Returns undefined when the text is not an address.
 */
export function parseAddress(input: string): Address | undefined {
  const text = input.trim()
  if (text === '' || text.length > 45 || !PLAIN.test(text)) return undefined
  // isIPv4 refuses leading zeros ("010" reads as octal to some tools and decimal to others).
  if (isIPv4(text)) return { text, version: 4 }
  if (isIPv6(text)) return { text: formatIpv6(text), version: 6 }
  return undefined
}

/** The canonical text of an address as the API reports it, or the text unchanged if it does not parse. */
export function canonicalText(text: string): string {
  return parseAddress(text)?.text ?? text
}
