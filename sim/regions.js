/** DigitalOcean's regions as the simulator names them, and the checks of a region a test gives. */

/** @type {Record<string, string>} */
const REGION_NAMES = {
  nyc1: 'New York 1',
  nyc2: 'New York 2',
  nyc3: 'New York 3',
  sfo1: 'San Francisco 1',
  sfo2: 'San Francisco 2',
  sfo3: 'San Francisco 3',
  ams2: 'Amsterdam 2',
  ams3: 'Amsterdam 3',
  sgp1: 'Singapore 1',
  lon1: 'London 1',
  fra1: 'Frankfurt 1',
  tor1: 'Toronto 1',
  blr1: 'Bangalore 1',
  syd1: 'Sydney 1',
  atl1: 'Atlanta 1'
}
const REGION_SIZES = ['s-1vcpu-512mb-10gb', 's-1vcpu-1gb', 's-1vcpu-2gb', 's-2vcpu-2gb', 's-2vcpu-4gb', 's-4vcpu-8gb']
const REGION_FEATURES = ['backups', 'ipv6', 'metadata', 'install_agent', 'storage', 'image_transfer']

/**
 * A region as DigitalOcean shows it.
 * @param {string} slug
 */
export function regionObject(slug) {
  return {
    name: REGION_NAMES[slug] ?? slug.toUpperCase(),
    slug,
    features: [...REGION_FEATURES],
    available: true,
    sizes: [...REGION_SIZES]
  }
}

/** @param {unknown} slug */
export function isRegionSlug(slug) {
  return typeof slug === 'string' && (slug in REGION_NAMES || /^[a-z]{3}\d$/.test(slug))
}

/**
 * A region given to addDroplet/addIp: a slug, or any non-empty text when `anyRegion` asks for it.
 * @param {string} where
 * @param {unknown} region
 * @param {boolean} anyRegion
 */
export function checkRegion(where, region, anyRegion) {
  const ok = anyRegion ? typeof region === 'string' && region !== '' : isRegionSlug(region)
  if (!ok) throw new Error(`${where}: '${region}' is not a region slug`)
}
