/**
 * Every duration input (timeout, verify_timeout, verify_for, unassigned_for): seconds, or a number
 * with s, m, h or d (`90`, `90s`, `5m`, `1.5h`, `7d`), as ms, within its bounds.
 */
import { InputError } from './field.js'

export interface DurationBounds {
  /** The value when the input is empty. */
  readonly fallbackMs?: number
  /** The least accepted, in ms (1: more than 0). */
  readonly minMs: number
  readonly maxMs: number
}

export const DAY_MS = 86_400_000
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS }
// The examples an error offers, each only where it is within the input's bounds.
const EXAMPLES: readonly [string, number][] = [
  ['90', 90_000],
  ['5m', 300_000],
  ['1h', 3_600_000],
  ['12h', 43_200_000],
  ['7d', 7 * DAY_MS]
]

export function parseDuration(name: string, raw: string, bounds: DurationBounds): number {
  if (raw === '' && bounds.fallbackMs !== undefined) return bounds.fallbackMs
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([smhd]?)$/i.exec(raw)
  const ms = m ? Math.round(Number(m[1]) * UNIT_MS[(m[2] || 's').toLowerCase()]) : NaN
  if (!(ms >= bounds.minMs) || ms > bounds.maxMs) {
    const like = EXAMPLES.filter(([, value]) => value >= bounds.minMs && value <= bounds.maxMs).map(([text]) => text)
    throw new InputError(
      name,
      `must be ${durationRange(bounds)}: seconds, or a number with s, m, h or d (like ${like.join(', ')}), got '${raw}'`
    )
  }
  return ms
}

/** A whole number of the largest unit that fits (6 h, 3650 days), else seconds. */
function durationText(ms: number): string {
  if (ms >= DAY_MS && ms % DAY_MS === 0) return `${ms / DAY_MS} days`
  if (ms >= UNIT_MS.h && ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h} h`
  if (ms >= UNIT_MS.m && ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m} min`
  return `${ms / 1000} s`
}

function durationRange({ minMs, maxMs }: DurationBounds): string {
  const most = durationText(maxMs)
  if (minMs <= 1) return `${minMs === 0 ? '0 or more' : 'more than 0'} and at most ${most}`
  return `from ${durationText(minMs)} to ${most}`
}
