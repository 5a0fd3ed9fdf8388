/** Tokens without a scope (denyScope): a request that needs a scope the token lacks answers 403. */
import { fail } from './answers.js'

/** @typedef {'domain:read' | 'reserved_ip:read' | 'reserved_ip:delete' | 'reserved_ip:update' | 'actions:read' | 'droplet:read'} SimScope */

/**
 * Which scope each request needs, as DigitalOcean's custom-scoped tokens are checked.
 * @type {[SimScope, string, RegExp][]}
 */
const SCOPE_ROUTES = [
  ['domain:read', 'GET', /^\/v2\/domains(\/|$)/],
  ['reserved_ip:delete', 'DELETE', /^\/v2\/(reserved_ips|floating_ips|reserved_ipv6)\/[^/]+$/],
  ['reserved_ip:update', 'POST', /^\/v2\/(reserved_ips|floating_ips|reserved_ipv6)\/[^/]+\/actions$/],
  ['reserved_ip:read', 'GET', /^\/v2\/(reserved_ips|floating_ips|reserved_ipv6)(\/|$)/],
  ['actions:read', 'GET', /^\/v2\/actions\//],
  ['droplet:read', 'GET', /^\/v2\/droplets(\/|$)/]
]
const SCOPES = new Set(SCOPE_ROUTES.map(([scope]) => scope))

/**
 * Answers 403 when the request needs a scope that denyScope() took away.
 * @param {import('./state.js').State} state
 * @param {import('./answers.js').RequestContext} ctx
 */
export function refuseDeniedScope(state, ctx) {
  if (state.deniedScopes.size === 0) return false
  const needed = SCOPE_ROUTES.find(([, method, regex]) => method === ctx.method && regex.test(ctx.path))
  if (!needed || !state.deniedScopes.has(needed[0])) return false
  fail(state, ctx, 403, 'You are not authorized to perform this operation', {}, 'Forbidden')
  return true
}

/**
 * The simulator's methods for scopes.
 * @param {import('./state.js').State} state
 */
export function scopeApi(state) {
  return {
    /**
     * From now on every request that needs this scope answers 403, as for a token without it.
     * @param {SimScope} scope
     */
    denyScope(scope) {
      if (!SCOPES.has(scope)) throw new Error(`denyScope: unknown scope '${scope}' (known: ${[...SCOPES].join(', ')})`)
      state.deniedScopes.add(scope)
    },
    /** @param {SimScope} scope */
    allowScope(scope) {
      state.deniedScopes.delete(scope)
    }
  }
}
