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

export function parseDuration(name: string, raw: string, bounds: DurationBounds): number {
  if (raw === '' && bounds.fallbackMs !== undefined) return bounds.fallbackMs
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([smhd]?)$/i.exec(raw)
  const ms = m ? Math.round(Number(m[1]) * UNIT_MS[(m[2] || 's').toLowerCase()]) : NaN
  if (!(ms >= bounds.minMs) || ms > bounds.maxMs) {
    throw new InputError(
      name,
      `must be ${durationRange(bounds)}: seconds, or a number with s, m, h or d (like 90, 5m, 12h, 7d), got '${raw}'`
    )
  }
  return ms
}

function durationRange({ minMs, maxMs }: DurationBounds): string {
  const most = maxMs % DAY_MS === 0 ? `${maxMs / DAY_MS} days` : `${maxMs / 1000} s`
  if (minMs <= 1) return `${minMs === 0 ? '0 or more' : 'more than 0'} and at most ${most}`
  return `from ${minMs / 1000} s to ${most}`
}
