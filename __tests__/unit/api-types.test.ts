/** The fields the action reads (src/do/api-types.ts) exist in DigitalOcean's OpenAPI description. */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { FIELDS } from '../../src/do/api-types.js'

type Schema = {
  properties?: Record<string, Schema>
  allOf?: Schema[]
  anyOf?: Schema[]
  oneOf?: Schema[]
  items?: Schema
}

const spec = JSON.parse(readFileSync('api/digitalocean-reserved-ips.openapi.json', 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>
}

/** Every property a schema can have, through allOf/anyOf/oneOf. */
function propertiesOf(schema: Schema | undefined): Record<string, Schema> {
  if (!schema) return {}
  const out: Record<string, Schema> = { ...schema.properties }
  for (const part of [...(schema.allOf ?? []), ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) {
    Object.assign(out, propertiesOf(part))
  }
  return out
}

function responseSchema(path: string, method: string, status: string): Schema {
  const schema = spec.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema
  if (!schema) throw new Error(`no schema for ${method} ${path} ${status}`)
  return schema
}

const reservedIp = propertiesOf(responseSchema('/v2/reserved_ips/{reserved_ip}', 'get', '200')).reserved_ip
const reservedIpv6 = propertiesOf(responseSchema('/v2/reserved_ipv6/{reserved_ipv6}', 'get', '200')).reserved_ipv6
const droplet = propertiesOf(responseSchema('/v2/droplets/{droplet_id}', 'get', '200')).droplet
const action = propertiesOf(responseSchema('/v2/actions/{action_id}', 'get', '200')).action
const links = propertiesOf(responseSchema('/v2/reserved_ips', 'post', '202')).links
const list = propertiesOf(responseSchema('/v2/reserved_ips', 'get', '200'))

const SHAPES: [keyof typeof FIELDS, Schema | undefined][] = [
  ['reserved_ip', reservedIp],
  ['reserved_ipv6', reservedIpv6],
  ['droplet', droplet],
  ['network', propertiesOf(propertiesOf(droplet).networks).v4?.items],
  ['network', propertiesOf(propertiesOf(droplet).networks).v6?.items],
  ['region', propertiesOf(reservedIp).region],
  ['action', action],
  ['error', responseSchema('/v2/reserved_ips/{reserved_ip}', 'get', '404')],
  ['action_link', propertiesOf(links).actions?.items],
  ['domain', propertiesOf(responseSchema('/v2/domains', 'get', '200')).domains?.items],
  [
    'domain_record',
    propertiesOf(responseSchema('/v2/domains/{domain_name}/records', 'get', '200')).domain_records?.items
  ]
]

describe('API types', () => {
  it.each(SHAPES)('every field of %s is in the OpenAPI description', (shape, schema) => {
    const documented = Object.keys(propertiesOf(schema))
    expect(documented.length).toBeGreaterThan(1)
    const missing = (FIELDS[shape] as readonly string[]).filter((f) => !documented.includes(f))
    expect(missing).toEqual([])
  })

  it('list answers carry links.pages and meta.total', () => {
    expect(Object.keys(list)).toEqual(expect.arrayContaining(['reserved_ips', 'links', 'meta']))
    expect(Object.keys(propertiesOf(list.meta))).toContain('total')
    expect(Object.keys(propertiesOf(propertiesOf(list.links).pages))).toEqual(expect.arrayContaining(['next', 'last']))
  })

  it('would notice a field that is not documented', () => {
    expect(Object.keys(propertiesOf(reservedIpv6))).not.toContain('locked')
  })
})
