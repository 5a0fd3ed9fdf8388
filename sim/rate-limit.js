/**
 * The rate limit, account-wide (over every client) as DigitalOcean's: with `rateLimit` a request over
 * the minute's window or the hour's budget answers 429 with retry-after; without it no limit is
 * enforced and the headers are informative.
 */

/**
 * An enforced limit: a request over either limit answers 429 with retry-after (seconds until there
 * is room). Every answer carries the hourly budget: ratelimit-limit (perHour), ratelimit-remaining
 * (left in the last hour, all clients) and ratelimit-reset (epoch seconds when the oldest request in
 * it expires). The per-minute limit is not announced in any header.
 * @typedef {object} RateLimitOptions
 * @property {number} perMinute Accepted requests in a sliding 60 s window.
 * @property {number} [perHour] Accepted requests in a sliding hour. Default 5000.
 * @property {number} [timeScale] Speeds time up: the window lasts 60 s / timeScale, the hour
 *   3600 s / timeScale. Default 1.
 */

const DEFAULT_RATE_LIMIT = 5000

/**
 * Drops the times at or before the horizon from the front of a sorted list.
 * @param {number[]} times
 * @param {number} horizon
 */
function expire(times, horizon) {
  let drop = 0
  while (drop < times.length && times[drop] <= horizon) drop++
  if (drop) times.splice(0, drop)
}

/**
 * A budget's headers: its limit, what is left of it (at least `floor`), and when the oldest request
 * in it expires (epoch seconds).
 * @param {number[]} times
 * @param {number} spanMs
 * @param {number} allowed
 * @param {number} floor
 * @param {number} now
 */
function budgetHeaders(times, spanMs, allowed, floor, now) {
  expire(times, now - spanMs)
  const oldest = times.length ? times[0] : now
  return {
    'ratelimit-limit': String(allowed),
    'ratelimit-remaining': String(Math.max(floor, allowed - times.length)),
    'ratelimit-reset': String(Math.ceil((oldest + spanMs) / 1000))
  }
}

/**
 * The account's rate limit: `accept(now)` counts a request and gives its headers, or a 429's headers
 * when it is over the limit (then it is not counted).
 * @param {RateLimitOptions} [limit]
 */
export function createRateLimit(limit) {
  if (limit && !(limit.perMinute > 0)) throw new Error('rateLimit.perMinute must be a positive number')
  if (limit && limit.perHour !== undefined && !(limit.perHour > 0))
    throw new Error('rateLimit.perHour must be a positive number')
  const windowMs = limit ? 60_000 / (limit.timeScale ?? 1) : 60_000
  const hourMs = windowMs * 60
  const perHour = limit?.perHour ?? DEFAULT_RATE_LIMIT
  /** @type {number[]} times of requests inside the minute's window */
  const minute = []
  /** @type {number[]} times of requests inside the hour (with a limit) */
  const hour = []

  /** @param {number} now */
  const hourlyHeaders = (now) => budgetHeaders(hour, hourMs, perHour, 0, now)

  /**
   * The headers of an answer now. No limit enforced: informative, never low enough to make a client slow down.
   * @param {number} now
   * @returns {Record<string, string>}
   */
  function headers(now) {
    return limit ? hourlyHeaders(now) : budgetHeaders(minute, windowMs, DEFAULT_RATE_LIMIT, 1000, now)
  }

  /**
   * A 429's headers when the minute's window or the hour's budget is full (retry-after until there is room).
   * @param {RateLimitOptions} enforced
   * @param {number} now
   */
  function overLimit(enforced, now) {
    expire(hour, now - hourMs)
    let roomAt
    if (minute.length >= enforced.perMinute) roomAt = minute[minute.length - enforced.perMinute] + windowMs
    if (hour.length >= perHour) roomAt = Math.max(roomAt ?? 0, hour[hour.length - perHour] + hourMs)
    if (roomAt === undefined) return undefined
    return { ...hourlyHeaders(now), 'retry-after': String(Math.max(1, Math.ceil((roomAt - now) / 1000))) }
  }

  return {
    headers,
    /** The ratelimit-limit a 'rate-limit' fault announces. */
    announced: limit ? limit.perMinute : DEFAULT_RATE_LIMIT,
    /**
     * Counts a request arriving now: `{ headers }` for its answer, or `{ limited }` with a 429's headers.
     * @param {number} now
     * @returns {{ headers: Record<string, string>, limited?: undefined } | { limited: Record<string, string> }}
     */
    accept(now) {
      expire(minute, now - windowMs)
      const limited = limit && overLimit(limit, now)
      if (limited) return { limited }
      minute.push(now)
      if (limit) hour.push(now)
      return { headers: headers(now) }
    }
  }
}
