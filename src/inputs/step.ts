/** The inputs every operation takes: the token, the API's address and the step's time limit. */
import { parseAddress } from './address.js'
import { parseDuration } from './durations.js'
import { InputError } from './field.js'

const DEFAULT_API_URL = 'https://api.digitalocean.com'
const DEFAULT_TIMEOUT_SECONDS = 300
const MAX_TIMEOUT_SECONDS = 6 * 3600

// A bearer token is sent in a header: visible ASCII only, so nothing can be smuggled into the request.
const TOKEN = /^[\x21-\x7e]{1,512}$/

/** The token input, else DIGITALOCEAN_ACCESS_TOKEN, then DIGITALOCEAN_TOKEN from `env`. */
export function parseToken(raw: string, env: Record<string, string | undefined>): string {
  const token = raw || env.DIGITALOCEAN_ACCESS_TOKEN?.trim() || env.DIGITALOCEAN_TOKEN?.trim() || ''
  if (token === '') {
    throw new InputError(
      'token',
      'no DigitalOcean API token: set the token input, or the environment variable DIGITALOCEAN_ACCESS_TOKEN (or DIGITALOCEAN_TOKEN)'
    )
  }
  if (!TOKEN.test(token)) {
    throw new InputError('token', 'contains characters that cannot be sent in an Authorization header')
  }
  return token
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  const addr = parseAddress(host)
  if (!addr) return false
  return addr.version === 4 ? addr.text.startsWith('127.') : addr.text === '::1'
}

export function parseApiUrl(raw: string): URL {
  const text = raw === '' ? DEFAULT_API_URL : raw
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new InputError('api_url', `'${text}' is not a URL`)
  }
  if (url.username !== '' || url.password !== '') {
    throw new InputError('api_url', 'must not contain credentials')
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InputError('api_url', 'must not contain a query or fragment')
  }
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) {
      throw new InputError(
        'api_url',
        `plain http is refused for '${url.hostname}': the token would travel unencrypted (only loopback hosts may use http)`
      )
    }
  } else if (url.protocol !== 'https:') {
    throw new InputError('api_url', `must be an https URL, got '${url.protocol}'`)
  }
  // Keep the base path without a trailing slash so "/v2/..." can be appended; a base written
  // with the API version (https://api.digitalocean.com/v2) means the same API.
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/v2$/, '')
  return url
}

/** timeout, in ms. */
export function parseTimeout(raw: string): number {
  return parseDuration('timeout', raw, {
    fallbackMs: DEFAULT_TIMEOUT_SECONDS * 1000,
    minMs: 1000,
    maxMs: MAX_TIMEOUT_SECONDS * 1000
  })
}
