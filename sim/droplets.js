/**
 * Droplets: what a test adds (addDroplet), GET /v2/droplets (by name, tag or GPU type) and
 * GET /v2/droplets/{id}, each droplet's own addresses, and what a droplet may hold: one reserved
 * IPv4 at a time, a reserved IPv6 only with IPv6 enabled. A droplet may be busy with an event of
 * its own (setDropletBusy, a 'droplet-busy' event): actions onto it answer 422 "Droplet already has
 * a pending event".
 */
import { ownAddress } from './addresses.js'
import { fail, notFound, paginate, positiveInt, send } from './answers.js'
import { isoSeconds } from './clock.js'
import { checkRegion, regionObject } from './regions.js'
import { checkServicePatch } from './service-config.js'

/**
 * @typedef {object} SimDroplet
 * @property {number} id
 * @property {string} name
 * @property {string} region
 * @property {string[]} tags
 * @property {boolean} gpu A GPU droplet: GET /v2/droplets lists it only with type=gpus (and then only GPU droplets).
 * @property {boolean} ipv6 IPv6 enabled: `features` lists 'ipv6', `networks.v6` its public IPv6, and it may
 *   hold reserved IPv6.
 * @property {string} publicIpv4 The droplet's own public IPv4 (networks.v4, type public), in 198.18.0.0/15.
 * @property {string} privateIpv4 Its VPC address (networks.v4, type private), in 10.108.0.0/14.
 * @property {string | null} publicIpv6 Its own public IPv6 (networks.v6), in 2001:db8:d0::/64; null without IPv6.
 */

/**
 * What addDroplet takes. Any non-empty name is taken as it is (newlines, '::', HTML). `anyRegion`
 * accepts any non-empty region text instead of a slug; `gpu` makes a GPU droplet; `ipv6` (default
 * true): IPv6 enabled. Each droplet gets its own public and private IPv4 (and public IPv6) in
 * `networks`; the service server answers them as this droplet.
 * @typedef {object} NewDroplet
 * @property {number} [id]
 * @property {string} name
 * @property {string} [region]
 * @property {string[]} [tags]
 * @property {import('./service-config.js').SimServicePatch} [service]
 * @property {boolean} [gpu]
 * @property {boolean} [anyRegion]
 * @property {boolean} [ipv6]
 */

/** @typedef {import('./state.js').State} State */
/** @typedef {import('./state.js').DropletRecord} DropletRecord */
/** @typedef {import('./answers.js').RequestContext} RequestContext */

const GPU_SIZE = {
  slug: 'gpu-h100x1-80gb',
  gpu_info: { count: 1, model: 'nvidia_h100', vram: { amount: 80, unit: 'gib' } }
}

/**
 * @param {DropletRecord} d
 * @returns {SimDroplet}
 */
function dropletSnapshot(d) {
  return {
    id: d.id,
    name: d.name,
    region: d.region,
    tags: [...d.tags],
    gpu: d.gpu,
    ipv6: d.ipv6,
    publicIpv4: d.own.publicV4,
    privateIpv4: d.own.privateV4,
    publicIpv6: d.own.publicV6
  }
}

/**
 * The droplet's networks: its own public and private IPv4, and its public IPv6 when it has IPv6.
 * @param {DropletRecord} d
 */
function networksJson(d) {
  return {
    v4: [
      { ip_address: d.own.publicV4, netmask: '255.254.0.0', gateway: '198.18.0.1', type: 'public' },
      { ip_address: d.own.privateV4, netmask: '255.252.0.0', gateway: '10.108.0.1', type: 'private' }
    ],
    v6:
      d.own.publicV6 === null
        ? []
        : [{ ip_address: d.own.publicV6, netmask: 64, gateway: '2001:db8:d0::1', type: 'public' }]
  }
}

/**
 * A droplet as DigitalOcean shows it; features list 'ipv6' only when IPv6 is enabled.
 * @param {DropletRecord} d
 */
export function dropletJson(d) {
  return {
    id: d.id,
    name: d.name,
    memory: 1024,
    vcpus: 1,
    disk: 25,
    disk_info: [{ type: 'local', size: { amount: 25, unit: 'gib' } }],
    locked: false,
    status: 'active',
    kernel: null,
    created_at: d.createdAt,
    features: ['monitoring', ...(d.ipv6 ? ['ipv6'] : []), 'private_networking'],
    backup_ids: [],
    next_backup_window: null,
    snapshot_ids: [],
    image: {
      id: 191457505,
      name: '24.04 (LTS) x64',
      type: 'base',
      distribution: 'Ubuntu',
      slug: 'ubuntu-24-04-x64',
      public: true,
      regions: ['nyc3', 'sfo3', 'ams3', 'fra1', 'lon1', 'sgp1'],
      created_at: '2025-04-24T10:00:00Z',
      min_disk_size: 7,
      size_gigabytes: 2.36,
      description: 'Ubuntu 24.04 (LTS) x64',
      tags: [],
      status: 'available',
      error_message: ''
    },
    volume_ids: [],
    size: {
      ...(d.gpu ? { gpu_info: { ...GPU_SIZE.gpu_info } } : {}),
      slug: d.gpu ? GPU_SIZE.slug : 's-1vcpu-1gb',
      memory: 1024,
      vcpus: 1,
      disk: 25,
      transfer: 1,
      price_monthly: 6,
      price_hourly: 0.00893,
      regions: [d.region],
      available: true,
      description: 'Basic'
    },
    size_slug: d.gpu ? GPU_SIZE.slug : 's-1vcpu-1gb',
    ...(d.gpu ? { gpu_info: { ...GPU_SIZE.gpu_info } } : {}),
    networks: networksJson(d),
    region: regionObject(d.region),
    tags: [...d.tags],
    vpc_uuid: '3b0f1c2a-7e6d-4c5b-9a8f-1e2d3c4b5a69'
  }
}

/**
 * The droplet a reserved IPv4 is on, or is being assigned to by an action in progress.
 * @param {State} state
 * @param {import('./state.js').IpRecord} rec
 */
function holderOrTarget(state, rec) {
  const action = rec.pendingAction === null ? undefined : state.actions.get(rec.pendingAction)
  return action && action.status === 'in-progress' && action.type === 'assign_ip' ? action.dropletId : rec.dropletId
}

/**
 * Why DigitalOcean refuses to put the reserved address rec on the droplet (its 422 message), or
 * undefined: a droplet holds one reserved IPv4 at a time (one on it, or on its way to it, other
 * than rec), and a reserved IPv6 needs a droplet with IPv6 enabled.
 * @param {State} state
 * @param {DropletRecord} droplet
 * @param {{ version: number, ip: string }} rec
 */
export function holdingProblem(state, droplet, rec) {
  if (rec.version === 6) {
    return droplet.ipv6
      ? undefined
      : 'IPv6 is not enabled on this Droplet. Enable IPv6 on it to assign a reserved IPv6.'
  }
  for (const other of state.ips.values()) {
    if (other.version !== 4 || other.ip === rec.ip) continue
    if (other.dropletId === droplet.id || holderOrTarget(state, other) === droplet.id)
      return `The Droplet already has a reserved IP (${other.ip}) assigned to it. A Droplet can have one reserved IPv4 at a time.`
  }
  return undefined
}

/**
 * For addIp and assignNow: the same limits, as an exception (a test set up a state DigitalOcean refuses).
 * @param {State} state
 * @param {string} where
 * @param {DropletRecord} droplet
 * @param {{ version: number, ip: string }} rec
 */
export function checkHolding(state, where, droplet, rec) {
  const problem = holdingProblem(state, droplet, rec)
  if (problem) throw new Error(`${where}: droplet ${droplet.id}: ${problem}`)
}

/**
 * tag_name combines with neither name nor type (per the description); the API answers 400.
 * @param {Record<string, string>} query
 */
function dropletQueryProblem(query) {
  if (query.tag_name === undefined) return undefined
  const other = ['name', 'type'].filter((key) => query[key] !== undefined)
  return other.length ? `tag_name cannot be combined with ${other.join(' or ')}` : undefined
}

/**
 * @param {State} state
 * @param {RequestContext} ctx
 */
function listDroplets(state, ctx) {
  const problem = dropletQueryProblem(ctx.query)
  if (problem) {
    if (state.validator) state.violations.push(`${ctx.method} ${ctx.path}: ${problem}`)
    return fail(state, ctx, 400, `${problem}.`)
  }
  // Only GPU droplets with type=gpus; only the others without it (or with type=droplets), also by tag.
  const gpus = ctx.query.type === 'gpus'
  let list = [...state.droplets.values()].filter((d) => d.gpu === gpus)
  const { name, tag_name: tag } = ctx.query
  if (name !== undefined) list = list.filter((d) => d.name.toLowerCase() === name.toLowerCase())
  if (tag !== undefined) list = list.filter((d) => d.tags.includes(tag))
  send(state, ctx, 200, paginate(state, ctx, 'droplets', list.map(dropletJson), '/v2/droplets'))
}

/**
 * @param {State} state
 * @param {RequestContext} ctx
 * @param {string} idText
 */
function getDroplet(state, ctx, idText) {
  const id = positiveInt(idText)
  const droplet = id === undefined ? undefined : state.droplets.get(id)
  if (!droplet) return notFound(state, ctx)
  send(state, ctx, 200, { droplet: dropletJson(droplet) })
}

/** @type {import('./server.js').Route[]} */
export const dropletRoutes = [
  ['GET', /^\/v2\/droplets$/, (state, ctx) => listDroplets(state, ctx)],
  ['GET', /^\/v2\/droplets\/([^/]+)$/, (state, ctx, m) => getDroplet(state, ctx, m[1])]
]

/**
 * The droplet with this id, or an error naming `where`.
 * @param {State} state
 * @param {string} where
 * @param {number} id
 */
function dropletOrThrow(state, where, id) {
  const droplet = state.droplets.get(id)
  if (!droplet) throw new Error(`${where}: droplet ${id} does not exist`)
  return droplet
}

/**
 * Gives a new droplet its own addresses (see addresses.js) and indexes them.
 * @param {State} state
 * @param {number} dropletId
 * @param {boolean} ipv6
 */
function assignOwnAddresses(state, dropletId, ipv6) {
  const taken = state.ownAddresses
  const own = {
    publicV4: ownAddress('publicV4', dropletId, taken),
    privateV4: ownAddress('privateV4', dropletId, taken),
    publicV6: ipv6 ? ownAddress('publicV6', dropletId, taken) : null
  }
  for (const address of Object.values(own)) if (address !== null) taken.set(address, dropletId)
  return own
}

/**
 * The simulator's methods for droplets.
 * @param {State} state
 */
export function dropletApi(state) {
  return {
    /**
     * Adds a droplet (see NewDroplet).
     * @param {NewDroplet} droplet
     * @returns {SimDroplet}
     */
    addDroplet(
      {
        id,
        name,
        region = 'nyc3',
        tags = [],
        gpu = false,
        anyRegion = false,
        ipv6 = true,
        service
      } = /** @type {NewDroplet} */ ({})
    ) {
      if (typeof name !== 'string' || name === '') throw new Error('addDroplet: name is required')
      checkServicePatch(service, 'addDroplet')
      checkRegion('addDroplet', region, anyRegion)
      let dropletId = id
      if (dropletId === undefined) {
        while (state.droplets.has(state.next.droplet)) state.next.droplet++
        dropletId = state.next.droplet++
      }
      if (!Number.isInteger(dropletId) || dropletId < 1)
        throw new Error(`addDroplet: id must be a positive integer (got ${dropletId})`)
      if (state.droplets.has(dropletId)) throw new Error(`addDroplet: droplet ${dropletId} exists already`)
      if (typeof ipv6 !== 'boolean') throw new Error(`addDroplet: ipv6 must be true or false (got ${ipv6})`)
      /** @type {DropletRecord} */
      const droplet = {
        id: dropletId,
        name,
        region,
        tags: [...tags],
        gpu: Boolean(gpu),
        ipv6,
        own: assignOwnAddresses(state, dropletId, ipv6),
        createdAt: isoSeconds(state.time.now()),
        busyUntil: 0
      }
      state.droplets.set(dropletId, droplet)
      state.services.setService(dropletId, service, 'addDroplet')
      return dropletSnapshot(droplet)
    },

    /** @returns {SimDroplet[]} */
    droplets() {
      return [...state.droplets.values()].map(dropletSnapshot)
    },

    /**
     * The droplet is busy with an event of its own for ms (Infinity: until setDropletIdle): an assign
     * onto it, an unassign from it and a create onto it answer 422 "Droplet already has a pending event".
     * @param {number} id
     * @param {number} ms
     */
    setDropletBusy(id, ms) {
      const droplet = dropletOrThrow(state, 'setDropletBusy', id)
      droplet.busyUntil = Math.max(droplet.busyUntil, state.time.now() + ms)
    },

    /**
     * Ends a setDropletBusy() now.
     * @param {number} id
     */
    setDropletIdle(id) {
      dropletOrThrow(state, 'setDropletIdle', id).busyUntil = 0
    }
  }
}
