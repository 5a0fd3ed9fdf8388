/**
 * The scope of a DigitalOcean token each request of the action needs, as the OpenAPI description
 * (api/digitalocean-reserved-ips.openapi.json) gives it: named when DigitalOcean answers 403.
 */

/** [method, route pattern, scope]; the first that matches the request's path wins. */
const SCOPES: readonly (readonly [string, RegExp, string])[] = [
  ['GET', /^\/v2\/actions\/[^/]+$/, 'actions:read'],
  ['GET', /^\/v2\/domains(\/[^/]+\/records)?$/, 'domain:read'],
  ['GET', /^\/v2\/droplets(\/[^/]+)?$/, 'droplet:read'],
  ['GET', /^\/v2\/(reserved_ips|reserved_ipv6|floating_ips)(\/[^/]+(\/actions(\/[^/]+)?)?)?$/, 'reserved_ip:read'],
  ['POST', /^\/v2\/(reserved_ips|reserved_ipv6|floating_ips)$/, 'reserved_ip:create'],
  ['POST', /^\/v2\/(reserved_ips|reserved_ipv6|floating_ips)\/[^/]+\/actions$/, 'reserved_ip:update'],
  ['DELETE', /^\/v2\/(reserved_ips|reserved_ipv6|floating_ips)\/[^/]+$/, 'reserved_ip:delete']
]

/** The scope the request needs; undefined for a request the table does not know. */
export function scopeOf(method: string, path: string): string | undefined {
  return SCOPES.find(([m, route]) => m === method && route.test(path))?.[2]
}
