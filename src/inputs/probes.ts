/**
 * The inputs of probing: precheck_url and verify_url (assign only), with the rules their probes
 * share (verify_contains, verify_host, verify_timeout) and verify_for.
 */
import { parseDuration } from './durations.js'
import { InputError } from './field.js'
import type { Operation } from './operation.js'

/** The rules every probe follows, before the move and after it. */
export interface ProbeRules {
  readonly contains?: string
  /** verify_host: the Host header and, over https, the TLS server name the certificate is checked against. */
  readonly host?: string
  readonly timeoutMs: number
}

export interface VerifyInputs extends ProbeRules {
  /** The URL with `{ip}` where each moved address goes. */
  readonly urlTemplate: string
  /** verify_for: how long every probe must go on passing after an address's first pass (0: the first pass is enough). */
  readonly forMs?: number
}

export interface PrecheckInputs extends ProbeRules {
  /** The URL with `{ip}` where the droplet's public address goes, `{private_ip}` where its VPC IPv4 goes. */
  readonly urlTemplate: string
}

/** What assign probes: undefined where the URL is not given. */
export interface Probing {
  readonly verify?: VerifyInputs
  readonly precheck?: PrecheckInputs
}

const DEFAULT_VERIFY_TIMEOUT_SECONDS = 60
const MAX_VERIFY_TIMEOUT_SECONDS = 3600

/** precheck_url and verify_url, with the rules their probes share. */
export function parseProbing(
  get: (name: string) => string,
  operation: Operation,
  wait: boolean,
  addresses: number
): Probing {
  const verifyUrl = get('verify_url')
  const precheckUrl = get('precheck_url')
  const forMs = parseVerifyFor(get('verify_for'), verifyUrl !== '')
  const rules = parseProbeRules(get, verifyUrl !== '' || precheckUrl !== '')
  if (!rules) return {}
  if (verifyUrl !== '') {
    if (operation !== 'assign') throw new InputError('verify_url', `applies to assign only, not '${operation}'`)
    if (!wait) throw new InputError('verify_url', 'needs wait: true (the probes run after the move has finished)')
    checkProbeUrl('verify_url', verifyUrl, {})
    checkEachProbed('verify_url', verifyUrl, addresses)
  }
  if (precheckUrl !== '') {
    if (operation !== 'assign') throw new InputError('precheck_url', `applies to assign only, not '${operation}'`)
    checkProbeUrl('precheck_url', precheckUrl, { '{private_ip}': '10.0.0.1' })
    checkEachProbed('precheck_url', precheckUrl, addresses)
  }
  return {
    verify: verifyUrl === '' ? undefined : { ...rules, urlTemplate: verifyUrl, forMs },
    precheck: precheckUrl === '' ? undefined : { ...rules, urlTemplate: precheckUrl }
  }
}

/** verify_contains, verify_host and verify_timeout: undefined (and refused when given) without a URL to probe. */
function parseProbeRules(get: (name: string) => string, probing: boolean): ProbeRules | undefined {
  const contains = get('verify_contains')
  const host = get('verify_host').toLowerCase()
  const timeoutRaw = get('verify_timeout')
  if (!probing) {
    const given = [contains !== '' && 'verify_contains', host !== '' && 'verify_host'].find(Boolean)
    if (given) throw new InputError(given, 'applies only with verify_url or precheck_url')
    if (timeoutRaw !== '' && parseVerifyTimeout(timeoutRaw) !== DEFAULT_VERIFY_TIMEOUT_SECONDS * 1000) {
      throw new InputError('verify_timeout', 'applies only with verify_url or precheck_url')
    }
    return undefined
  }
  if (host !== '') checkVerifyHost(host)
  return {
    contains: contains === '' ? undefined : contains,
    host: host === '' ? undefined : host,
    timeoutMs: parseVerifyTimeout(timeoutRaw)
  }
}

const parseVerifyTimeout = (raw: string): number =>
  parseDuration('verify_timeout', raw, {
    fallbackMs: DEFAULT_VERIFY_TIMEOUT_SECONDS * 1000,
    minMs: 1000,
    maxMs: MAX_VERIFY_TIMEOUT_SECONDS * 1000
  })

function parseVerifyFor(raw: string, verifying: boolean): number {
  const ms = parseDuration('verify_for', raw, { fallbackMs: 0, minMs: 0, maxMs: MAX_VERIFY_TIMEOUT_SECONDS * 1000 })
  if (ms > 0 && !verifying) {
    throw new InputError('verify_for', 'applies only with verify_url (the precheck stops at its first pass)')
  }
  return ms
}

const HOST_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
const VERIFY_HOST = new RegExp(`^(${HOST_LABEL}(?:\\.${HOST_LABEL})*)(?::([0-9]{1,5}))?$`)

/** verify_host: a DNS name (what a certificate names), optionally with a port; no IP address, no path. */
function checkVerifyHost(host: string): void {
  const m = VERIFY_HOST.exec(host)
  const port = m?.[2] === undefined ? 1 : Number(m[2])
  if (!m || m[1].length > 253 || port < 1 || port > 65535) {
    throw new InputError('verify_host', `'${host}' is not a host name with an optional :port (like www.example.com)`)
  }
  if (/^[0-9.]+$/.test(m[1])) {
    throw new InputError('verify_host', `'${host}' is an IP address: give the name the site's certificate is for`)
  }
}

/** With several addresses, each is probed on its own only through {ip}: one shared probe proves nothing for the others. */
function checkEachProbed(name: string, template: string, addresses: number): void {
  if (addresses > 1 && !template.includes('{ip}')) {
    throw new InputError(
      name,
      `must contain {ip} when several addresses move (${addresses} given): each address is probed on its own, so one probe cannot pass for all`
    )
  }
}

/**
 * A probe URL template must make an http(s) URL without credentials for an IPv4 and an IPv6 address
 * alike (and for the other placeholders it may hold).
 */
function checkProbeUrl(name: string, template: string, placeholders: Record<string, string>): void {
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(template)) {
    throw new InputError(name, 'must not contain white space or control characters')
  }
  for (const sample of ['192.0.2.1', '[2001:db8::1]']) {
    let text = template.split('{ip}').join(sample)
    for (const [placeholder, value] of Object.entries(placeholders)) text = text.split(placeholder).join(value)
    const unknown = /\{[^{}]*\}?|\}/.exec(text)
    if (unknown) {
      const known = ['{ip}', ...Object.keys(placeholders)].join(' and ')
      throw new InputError(name, `'${unknown[0]}' is not a placeholder here: ${name} takes ${known}`)
    }
    let url: URL
    try {
      url = new URL(text)
    } catch {
      throw new InputError(name, `'${template}' is not a URL (write {ip} where the address goes)`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InputError(name, `must be an http or https URL, got '${url.protocol}'`)
    }
    if (url.username !== '' || url.password !== '') {
      throw new InputError(name, 'must not contain credentials (they would be sent to every address probed)')
    }
  }
}
