/** The inputs of probing (precheck_url, verify_url and the rules they share) and the one-IPv4 rule of assign. */
import { describe, expect, it } from '@jest/globals'
import { InputError, parseInputs, type AssignInputs, type Inputs } from '../../src/inputs/inputs.js'
import { inputsOf } from '../helpers/inputs.js'

const base = { token: 'dop_v1_test', ip: '203.0.113.1', droplet_id: '42' }

function parseAny(values: Record<string, string>): Inputs {
  return parseInputs((name) => ({ ...base, ...values })[name] ?? '', {})
}

const parse = (values: Record<string, string>): AssignInputs => inputsOf('assign', parseAny(values))

function failure(values: Record<string, string>): InputError {
  try {
    parseAny(values)
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error('expected an InputError')
}

describe('precheck_url', () => {
  it('shares verify_contains, verify_host and verify_timeout with verify_url', () => {
    const inputs = parse({
      precheck_url: 'https://{ip}/healthz',
      verify_url: 'https://{ip}/healthz',
      verify_contains: 'abc123',
      verify_host: 'WWW.Example.com',
      verify_timeout: '30'
    })
    const rules = { contains: 'abc123', host: 'www.example.com', timeoutMs: 30_000 }
    expect(inputs.precheck).toEqual({ ...rules, urlTemplate: 'https://{ip}/healthz' })
    expect(inputs.verify).toEqual({ ...rules, urlTemplate: 'https://{ip}/healthz', forMs: 0 })
  })

  it('may be given alone, with {private_ip}, and without wait', () => {
    const inputs = parse({ precheck_url: 'http://{private_ip}:8080/healthz', wait: 'false' })
    expect(inputs.precheck?.urlTemplate).toBe('http://{private_ip}:8080/healthz')
    expect(inputs.verify).toBeUndefined()
  })

  it('is refused by name when it is no http(s) URL, has credentials, or is not for assign', () => {
    expect(failure({ precheck_url: 'ftp://{ip}/' })).toMatchObject({ input: 'precheck_url' })
    expect(failure({ precheck_url: 'http://u:p@{ip}/' }).message).toMatch(/precheck_url.*credentials/)
    expect(failure({ precheck_url: 'http://{ip}/ x' }).message).toMatch(/white space/)
    expect(failure({ precheck_url: 'http://{private_ip/' }).message).toMatch(/'\{private_ip\/' is not a placeholder/)
    expect(failure({ verify_url: 'http://{private_ip}/' }).message).toMatch(/verify_url takes \{ip\}$/)
    expect(failure({ operation: 'unassign', droplet_id: '', precheck_url: 'http://{ip}/' }).message).toMatch(
      /precheck_url.*assign only/
    )
  })
})

describe('verify_host', () => {
  it('takes a host name with an optional port', () => {
    expect(parse({ verify_url: 'https://{ip}/', verify_host: 'shop.example.com:8443' }).verify?.host).toBe(
      'shop.example.com:8443'
    )
    expect(parse({ precheck_url: 'https://{ip}/', verify_host: 'localhost' }).precheck?.host).toBe('localhost')
  })

  it.each(['203.0.113.5', 'a/b', 'exa mple.com', '-bad.example', 'example.com:0', 'example.com:70000', 'é.example'])(
    'refuses %p by name',
    (host) => {
      expect(failure({ verify_url: 'https://{ip}/', verify_host: host }).input).toBe('verify_host')
    }
  )

  it('applies only with a URL to probe', () => {
    expect(failure({ verify_host: 'www.example.com' }).message).toMatch(/verify_host.*verify_url or precheck_url/)
    expect(failure({ verify_contains: 'x' }).input).toBe('verify_contains')
  })
})

describe('verify_for', () => {
  it('is a duration, 0 by default, and only with verify_url', () => {
    expect(parse({ verify_url: 'http://{ip}/', verify_for: '30' }).verify?.forMs).toBe(30_000)
    expect(parse({ verify_url: 'http://{ip}/', verify_for: '2m' }).verify?.forMs).toBe(120_000)
    expect(parse({ verify_url: 'http://{ip}/', verify_for: '1.5' }).verify?.forMs).toBe(1500)
    expect(parse({ verify_url: 'http://{ip}/' }).verify?.forMs).toBe(0)
    expect(parse({ verify_for: '0' }).verify).toBeUndefined()
    expect(failure({ verify_url: 'http://{ip}/', verify_for: '1.5x' }).input).toBe('verify_for')
    expect(failure({ verify_url: 'http://{ip}/', verify_for: '3601' }).input).toBe('verify_for')
    expect(failure({ precheck_url: 'http://{ip}/', verify_for: '10' }).message).toMatch(/verify_for.*verify_url/)
  })
})

describe('one reserved IPv4 per droplet', () => {
  it('refuses two IPv4 addresses in one assign, naming them, and takes an IPv4 with IPv6 beside it', () => {
    const refused = failure({ ip: '203.0.113.1, 203.0.113.2\n2001:db8::1' })
    expect(refused.input).toBe('ip')
    expect(refused.message).toMatch(/203\.0\.113\.1 and 203\.0\.113\.2 .*one reserved IPv4 at a time/)
    expect(parse({ ip: '203.0.113.1 2001:db8::1 2001:db8::2' }).ips).toHaveLength(3)
    // Detaching several is fine.
    expect(
      inputsOf('unassign', parseAny({ operation: 'unassign', droplet_id: '', ip: '203.0.113.1 203.0.113.2' })).ips
    ).toHaveLength(2)
  })
})
