import { describe, expect, it } from '@jest/globals'
import { canonicalText, parseAddress } from '../../src/inputs/address.js'

describe('parseAddress', () => {
  it.each([
    ['203.0.113.10', '203.0.113.10', 4],
    [' 198.51.100.7 ', '198.51.100.7', 4],
    ['0.0.0.0', '0.0.0.0', 4],
    ['255.255.255.255', '255.255.255.255', 4],
    ['2001:DB8::0:10', '2001:db8::10', 6],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1', 6],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1', 6],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1', 6],
    ['::1', '::1', 6],
    ['::', '::', 6],
    ['fe80::', 'fe80::', 6],
    ['2409:40D0:F7:1017:74B4:3A96:105E:4C6E', '2409:40d0:f7:1017:74b4:3a96:105e:4c6e', 6],
    ['::ffff:192.0.2.1', '::ffff:c000:201', 6],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304', 6],
    ['0001:0000::', '1::', 6],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4', 6],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3', 6],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7', 6],
    ['0:0:0:0:0:0:0:1', '::1', 6],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0', 6],
    ['\t2001:db8::1\n', '2001:db8::1', 6]
  ])('accepts %s as %s', (input, text, version) => {
    expect(parseAddress(input)).toEqual({ text, version })
  })

  it.each([
    '',
    '203.0.113',
    '203.0.113.10.5',
    '203.0.113.256',
    '203.0.113.010',
    '203.0.113.10/32',
    '203.0.113.10:80',
    '../droplets/1',
    '1.2.3.4/actions',
    '1.2.3.4?x=1',
    '1.2.3.4%2F',
    '1.2.3.4 5.6.7.8',
    '2001:db8::1/64',
    '[2001:db8::1]',
    '2001:db8::1%eth0',
    '2001:db8:::1',
    '2001:db8::1::2',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '12345::1',
    'g::1',
    '2001:db8::1/actions',
    '1:2:3:4:5:6:7::8',
    '01.2.3.4',
    '1.2.3.04',
    '00.0.0.0',
    '::ffff:1.2.3.010',
    '::ffff:1.2.3',
    '2001:db8::1%25eth0',
    '2001:db8::1%',
    '2001:db8:: 1',
    '1.2.3.4\t5',
    '0x1.2.3.4',
    '1.2.3.4.',
    '.1.2.3.4',
    '::1.2.3.4.5',
    '1:2:3:4:5:6:7:1.2.3.4',
    ':1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:',
    ':::'
  ])('refuses %p', (input) => {
    expect(parseAddress(input)).toBeUndefined()
  })

  it('writes every spelling of random IPv6 addresses in the RFC 5952 form', () => {
    let seed = 20261125
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return Math.floor((seed / 2147483648) * n)
    }
    for (let i = 0; i < 2000; i++) {
      // Runs of zero groups are frequent, so that every placement of "::" is met.
      const groups = Array.from({ length: 8 }, () => (random(3) === 0 ? 0 : random(65536)))
      const expected = rfc5952(groups)
      for (const spelling of spellings(groups)) {
        expect([spelling, parseAddress(spelling)?.text]).toEqual([spelling, expected])
      }
    }
  })

  it('canonicalises API text and leaves non-addresses alone', () => {
    expect(canonicalText('2001:DB8:0:0::10')).toBe('2001:db8::10')
    expect(canonicalText('not an ip')).toBe('not an ip')
  })
})

/** The RFC 5952 text of eight groups, written out step by step (section 4.2). */
function rfc5952(groups: number[]): string {
  let best = { start: -1, length: 1 }
  for (let start = 0; start < 8; start++) {
    let length = 0
    while (start + length < 8 && groups[start + length] === 0) length++
    if (length > best.length) best = { start, length }
  }
  const hex = groups.map((g) => g.toString(16))
  if (best.start === -1) return hex.join(':')
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`
}

/** Ways to write the same address: full with leading zeros, upper case, and "::" over each zero run. */
function spellings(groups: number[]): string[] {
  const full = groups.map((g) => g.toString(16).padStart(4, '0'))
  const out = [full.join(':'), full.join(':').toUpperCase(), groups.map((g) => g.toString(16)).join(':')]
  for (let start = 0; start < 8; start++) {
    for (let end = start + 1; end <= 8 && groups[end - 1] === 0; end++) {
      out.push(`${full.slice(0, start).join(':')}::${full.slice(end).join(':')}`)
    }
  }
  return out
}
