/**
 * Sharing DigitalOcean's per-minute rate limit with every other client of the same token.
 *
 * DigitalOcean allows a token 250 requests in any 60 s (announced in no header) and 5,000 an hour;
 * every answer carries `ratelimit-remaining`, the hour's budget left to the whole account. Between
 * two answers to this client, that count falls by this client's own request plus every request the
 * account's other clients (other steps, other workflows) sent meanwhile. From those readings:
 *  - the account's requests in the last minute (the falls within it), and so the room left in the
 *    minute's window, aiming a little below the limit;
 *  - the rate of the other clients' requests (the falls beyond this client's own).
 * The room left is spread over a short horizon: that is the account's allowed rate. This client's
 * poll spacing is then the others' requests in one spacing plus its own, at that rate. Alone, the
 * spacing is far below the action's poll schedule, which stays as it is; with many clients, every
 * one of them slows down in proportion (with jitter), so the account stays under the limit before
 * any 429 comes, and speeds up again as the others finish and the window empties.
 *
 * Pure: callers pass the time of every reading and question (any clock, in ms).
 */

/** DigitalOcean's limit of requests a token may send in any 60 s. */
export const PER_MINUTE = 250

export interface RateBudgetOptions {
  /** Requests allowed in the window (default PER_MINUTE). */
  readonly perMinute?: number
  /** The limit's window in ms (default 60 s; shorter when a test speeds time up). */
  readonly windowMs?: number
  /** The fraction of the limit to aim for, leaving room for requests not seen yet (default 0.85). */
  readonly share?: number
  /** What is left of the window is spread over this long (default windowMs / 8). */
  readonly horizonMs?: number
  /** The others' rate is measured over the readings of this last span (default windowMs / 20). */
  readonly recentMs?: number
  /** The longest spacing while a quarter of the limit is left (default windowMs / 20). */
  readonly roomySpacingMs?: number
  /** The longest spacing ever asked for (default windowMs / 5). */
  readonly maxSpacingMs?: number
  /** A number in [0, 1) for jitter (default Math.random). */
  readonly random?: () => number
}

interface Reading {
  /** When the answer came (ms). */
  readonly at: number
  /** ratelimit-remaining in it. */
  readonly remaining: number
  /** Account requests since the previous reading, this client's own included (at least 1). */
  readonly spent: number
}

export class RateBudget {
  private readonly perMinute: number
  private readonly windowMs: number
  private readonly share: number
  private readonly horizonMs: number
  private readonly recentMs: number
  private readonly roomySpacingMs: number
  private readonly maxSpacingMs: number
  private readonly random: () => number
  private readonly readings: Reading[] = []
  private lastSpacing = 0

  constructor(options: RateBudgetOptions = {}) {
    this.perMinute = positive(options.perMinute ?? PER_MINUTE, 'perMinute')
    this.windowMs = positive(options.windowMs ?? 60_000, 'windowMs')
    this.share = positive(options.share ?? 0.85, 'share')
    this.horizonMs = positive(options.horizonMs ?? this.windowMs / 8, 'horizonMs')
    this.recentMs = positive(options.recentMs ?? this.windowMs / 20, 'recentMs')
    this.roomySpacingMs = positive(options.roomySpacingMs ?? this.windowMs / 20, 'roomySpacingMs')
    this.maxSpacingMs = positive(options.maxSpacingMs ?? this.windowMs / 5, 'maxSpacingMs')
    this.random = options.random ?? Math.random
  }

  /**
   * Records the ratelimit-remaining (and ratelimit-limit, when sent) of an answer to one of this
   * client's requests. Readings that are not numbers are ignored.
   */
  note(at: number, remaining: number, limit?: number): void {
    if (!Number.isFinite(remaining) || !Number.isFinite(at)) return
    const last = this.readings.at(-1)
    let spent: number
    if (last === undefined) spent = this.before(remaining, limit)
    // A rise means the hour's budget was refilled: what was spent meanwhile is unknown, so count
    // this client's own request only.
    else spent = last.remaining >= remaining ? last.remaining - remaining : 1
    this.readings.push({ at, remaining, spent: Math.max(1, spent) })
    this.prune(at)
  }

  /**
   * At the first answer, the account's requests before it are unknown but for the hour's count:
   * taken as spent in the current minute, up to a quarter of it. A step that starts among many
   * others then does not take their burst of starts for room; alone, the rest is still ample.
   */
  private before(remaining: number, limit: number | undefined): number {
    if (limit === undefined || !Number.isFinite(limit) || limit < remaining) return 1
    return Math.min(limit - remaining, this.perMinute / 4)
  }

  /** Account requests seen in the limit's window ending at `now`, this client's own included. */
  spentInWindow(now: number): number {
    const from = now - this.windowMs
    return this.readings.filter((r) => r.at > from).reduce((sum, r) => sum + r.spent, 0)
  }

  /** Requests per ms of the account's other clients over the recent readings (0 before two). */
  othersRate(): number {
    const last = this.readings.at(-1)
    if (last === undefined || this.readings.length < 2) return 0
    let first = this.readings.length - 2
    while (first > 0 && this.readings[first - 1].at >= last.at - this.recentMs) first--
    const span = Math.max(1, last.at - this.readings[first].at)
    const others = this.readings.slice(first + 1).reduce((sum, r) => sum + r.spent - 1, 0)
    return others / span
  }

  /**
   * The spacing (ms) of this client's requests that keeps the account within its share, when it
   * would otherwise send one every `scheduleMs`.
   */
  spacing(now: number, scheduleMs: number): number {
    const room = this.share * this.perMinute - this.spentInWindow(now)
    if (room <= 0) return this.maxSpacingMs
    const allowed = room / this.horizonMs
    // The others are taken to poll at this client's pace: their requests in one spacing, and its own.
    const current = Math.max(scheduleMs, this.lastSpacing)
    const wanted = (this.othersRate() * current + 1) / allowed
    const longest = room >= this.perMinute / 4 ? this.roomySpacingMs : this.maxSpacingMs
    return Math.min(longest, wanted)
  }

  /**
   * The earliest time (ms) for this client's next poll, when its schedule would otherwise send one
   * every `scheduleMs`: `now` unless the account is busy; then a spacing after the last answer,
   * with jitter so that clients that started together do not poll together.
   */
  nextAt(now: number, scheduleMs: number): number {
    const last = this.readings.at(-1)
    if (last === undefined) return now
    const spacing = this.spacing(now, scheduleMs)
    this.lastSpacing = spacing
    if (spacing <= scheduleMs) return now
    return last.at + spacing * (0.75 + 0.5 * this.random())
  }

  /** Drops readings older than the window, keeping those the recent rate needs. */
  private prune(now: number): void {
    const from = Math.min(now - this.windowMs, now - this.recentMs)
    let drop = 0
    while (drop < this.readings.length - 2 && this.readings[drop].at <= from) drop++
    if (drop) this.readings.splice(0, drop)
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`RateBudget: ${name} must be a positive number`)
  return value
}
