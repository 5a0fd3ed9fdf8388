/** The droplets' web services as a test sets them (addDroplet's service, setService): their fields, checked. */

/**
 * Changes to a droplet's web service; a field left out keeps its value.
 * @typedef {object} SimServicePatch
 * @property {boolean} [healthy] Default true: 200. false: 503.
 * @property {string | null} [build] Named in every body. Default `build-<droplet name>`; null restores it.
 * @property {number | null} [status] Answer this status (200-599) instead, with the build in the body; null clears it.
 * @property {boolean} [hang] Read the request and never answer it (close() destroys the socket). Default false.
 * @property {string | null} [redirect] Answer 302 with this Location (before any other answer but hang); null clears it.
 * @property {boolean} [ipv6Configured] Default true. false: the droplet has not added reserved IPv6
 *   addresses to its interface: a probe of a reserved IPv6 routed to it gets no answer (the connection
 *   is closed); its own addresses still answer.
 */

/**
 * @typedef {object} SimService
 * @property {number} dropletId
 * @property {boolean} healthy
 * @property {string} build
 * @property {number | null} status
 * @property {boolean} hang
 * @property {string | null} redirect
 * @property {boolean} ipv6Configured
 */

const SERVICE_FIELDS = new Set(['healthy', 'build', 'status', 'hang', 'redirect', 'ipv6Configured'])

/**
 * Throws unless ms is a finite number of milliseconds, zero or more.
 * @param {unknown} ms
 * @param {string} where
 */
export function checkRoutingDelay(ms, where) {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
    throw new Error(`${where}: routingDelayMs must be a finite number of milliseconds, 0 or more (got ${ms})`)
  return ms
}

/**
 * @param {unknown} value
 * @param {string} field
 * @param {string} where
 */
function checkText(value, field, where) {
  if (value === null) return null
  if (typeof value !== 'string' || value === '' || /[\r\n]/.test(value))
    throw new Error(`${where}: ${field} must be a non-empty one-line string or null (got ${JSON.stringify(value)})`)
  return value
}

/**
 * @param {unknown} value
 * @param {string} field
 * @param {string} where
 */
function checkFlag(value, field, where) {
  if (typeof value !== 'boolean') throw new Error(`${where}: ${field} must be true or false (got ${value})`)
  return value
}

/**
 * @param {unknown} value
 * @param {string} where
 */
function checkStatus(value, where) {
  if (value === null) return null
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 200 || value > 599)
    throw new Error(`${where}: status must be a whole number from 200 to 599, or null (got ${value})`)
  return value
}

/**
 * Checks a service patch and returns a clean copy.
 * @param {unknown} patch
 * @param {string} where
 * @returns {SimServicePatch}
 */
export function checkServicePatch(patch, where) {
  if (patch === undefined) return {}
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
    throw new Error(`${where}: the service must be an object`)
  /** @type {Record<string, unknown>} */
  const out = {}
  for (const [field, value] of Object.entries(patch)) {
    if (!SERVICE_FIELDS.has(field)) throw new Error(`${where}: unknown service field '${field}'`)
    if (value === undefined) continue
    if (field === 'healthy' || field === 'hang' || field === 'ipv6Configured')
      out[field] = checkFlag(value, field, where)
    else if (field === 'status') out.status = checkStatus(value, where)
    else out[field] = checkText(value, field, where)
  }
  return /** @type {SimServicePatch} */ (out)
}
