/** The test knob of the bundled action: a faster schedule, only against a loopback api_url. */
import { describe, expect, it } from '@jest/globals'
import { TEST_TIME_SCALE_VAR, testClientOptions } from '../../src/run.js'

describe('testClientOptions', () => {
  const env = (value: string): Record<string, string> => ({ [TEST_TIME_SCALE_VAR]: value })

  it('speeds up the schedule against a loopback simulator', () => {
    expect(testClientOptions(new URL('http://127.0.0.1:4010'), env('20'))).toEqual({ timeScale: 20 })
    expect(testClientOptions(new URL('http://localhost:4010'), env('2.5'))).toEqual({ timeScale: 2.5 })
    expect(testClientOptions(new URL('http://[::1]:4010'), env('10'))).toEqual({ timeScale: 10 })
  })

  it('is ignored for any other host, and when unset', () => {
    expect(testClientOptions(new URL('https://api.digitalocean.com'), env('20'))).toBeUndefined()
    expect(testClientOptions(new URL('https://127.0.0.1.example.com'), env('20'))).toBeUndefined()
    expect(testClientOptions(new URL('http://127.0.0.1:4010'), {})).toBeUndefined()
  })

  it('refuses a value that is not a number of at least 1, naming the variable', () => {
    for (const bad of ['fast', '0', '0.5', '-3'])
      expect(() => testClientOptions(new URL('http://127.0.0.1:4010'), env(bad))).toThrow(
        new RegExp(`${TEST_TIME_SCALE_VAR} must be a number of at least 1, got '${bad}'`)
      )
  })
})
