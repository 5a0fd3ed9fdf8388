/**
 * DNS zones and their records, for prune's `keep_dns`: GET /v2/domains and
 * GET /v2/domains/{domain_name}/records, seeded by a test (addDomain, addRecord).
 */
import { notFound, paginate, send } from './answers.js'

/**
 * A DNS record as addRecord takes it; `data` is kept as given (an address in any textual form).
 * @typedef {object} SimRecord
 * @property {string} type 'A', 'AAAA', 'CNAME', 'TXT', 'MX', ...
 * @property {string} [name] '@' (the default) for the zone's apex, else the host part (`www`).
 * @property {string} data
 * @property {number} [ttl]
 * @property {number} [priority]
 * @property {number} [port]
 * @property {number} [weight]
 */

/** @typedef {SimRecord & { id: number, name: string, ttl: number }} StoredRecord */
/** @typedef {{ name: string, ttl: number, records: Map<number, StoredRecord> }} DomainRecord */
/** @typedef {import('./state.js').State} State */
/** @typedef {import('./answers.js').RequestContext} RequestContext */

/** @param {DomainRecord} d */
function domainJson(d) {
  const lines = [`$ORIGIN ${d.name}.`, `$TTL ${d.ttl}`]
  for (const r of d.records.values()) {
    const owner = r.name === '@' ? `${d.name}.` : `${r.name}.${d.name}.`
    lines.push(`${owner} ${r.ttl} IN ${r.type} ${r.data}`)
  }
  return { name: d.name, ttl: d.ttl, zone_file: `${lines.join('\n')}\n` }
}

/** @param {StoredRecord} r */
function recordJson(r) {
  return {
    id: r.id,
    type: r.type,
    name: r.name,
    data: r.data,
    priority: r.priority ?? null,
    port: r.port ?? null,
    ttl: r.ttl,
    weight: r.weight ?? null,
    flags: null,
    tag: null
  }
}

/**
 * `name` filters by the fully qualified name (`www.example.com`, or `example.com` for `@`), `type` by type.
 * @param {State} state
 * @param {RequestContext} ctx
 * @param {string} name
 */
function listDomainRecords(state, ctx, name) {
  const d = state.domains.get(String(name).toLowerCase())
  if (!d) return notFound(state, ctx)
  const fqdn = (/** @type {StoredRecord} */ r) => (r.name === '@' ? d.name : `${r.name}.${d.name}`)
  const { type, name: wanted } = ctx.query
  const list = [...d.records.values()].filter(
    (r) => (type === undefined || r.type === type) && (wanted === undefined || fqdn(r) === wanted.toLowerCase())
  )
  send(state, ctx, 200, paginate(state, ctx, 'domain_records', list.map(recordJson), `/v2/domains/${d.name}/records`))
}

/** @type {import('./server.js').Route[]} */
export const domainRoutes = [
  [
    'GET',
    /^\/v2\/domains$/,
    (state, ctx) =>
      send(state, ctx, 200, paginate(state, ctx, 'domains', [...state.domains.values()].map(domainJson), '/v2/domains'))
  ],
  ['GET', /^\/v2\/domains\/([^/]+)\/records$/, (state, ctx, m) => listDomainRecords(state, ctx, m[1])]
]

/**
 * The simulator's methods for DNS.
 * @param {State} state
 */
export function domainApi(state) {
  return {
    /**
     * Adds a DNS zone (GET /v2/domains lists it). Names are kept lower case.
     * @param {string} name
     * @param {{ ttl?: number }} [options]
     */
    addDomain(name, { ttl = 1800 } = {}) {
      if (typeof name !== 'string' || !/^[a-z0-9.-]+$/i.test(name))
        throw new Error(`addDomain: '${name}' is no domain name`)
      const key = name.toLowerCase()
      if (state.domains.has(key)) throw new Error(`addDomain: ${key} exists already`)
      state.domains.set(key, { name: key, ttl, records: new Map() })
      return { name: key }
    },
    /**
     * Adds a record to a zone (any type, any data: a test may give an address in any form); returns its id.
     * @param {string} domain
     * @param {SimRecord} record
     */
    addRecord(domain, { type, name = '@', data, ttl = 1800, priority, port, weight } = /** @type {SimRecord} */ ({})) {
      const d = state.domains.get(String(domain).toLowerCase())
      if (!d) throw new Error(`addRecord: no domain ${domain}`)
      if (typeof type !== 'string' || type === '') throw new Error('addRecord: type is required')
      if (typeof data !== 'string') throw new Error('addRecord: data is required')
      const id = state.next.record++
      d.records.set(id, { id, type, name, data, ttl, priority, port, weight })
      return { id }
    },
    /**
     * @param {string} domain
     * @param {number} id
     */
    removeRecord(domain, id) {
      const d = state.domains.get(String(domain).toLowerCase())
      return Boolean(d && d.records.delete(id))
    },
    /** @param {string} name */
    removeDomain(name) {
      return state.domains.delete(String(name).toLowerCase())
    }
  }
}
