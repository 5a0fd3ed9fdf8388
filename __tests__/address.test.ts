import { describe, expect, it } from '@jest/globals'
import { canonicalText, parseAddress } from '../src/address.js'

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
    ['::ffff:192.0.2.1', '::ffff:c000:201', 6]
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
    '1:2:3:4:5:6:7::8'
  ])('refuses %p', (input) => {
    expect(parseAddress(input)).toBeUndefined()
  })

  it('canonicalises API text and leaves non-addresses alone', () => {
    expect(canonicalText('2001:DB8:0:0::10')).toBe('2001:db8::10')
    expect(canonicalText('not an ip')).toBe('not an ip')
  })
})
