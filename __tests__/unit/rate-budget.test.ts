import { describe, expect, it } from '@jest/globals'
import { PER_MINUTE, RateBudget } from '../../src/transport/rate-budget.js'

const SCHEDULE_MS = 500

/**
 * Feeds one reading every `everyMs` from `from`, the account's remaining count falling by `perReading`
 * each time (this client's own request and the others'). Returns the time and remaining of the last.
 */
function feed(
  budget: RateBudget,
  options: { from: number; remaining: number; readings: number; everyMs: number; perReading: number }
): { at: number; remaining: number } {
  let { remaining } = options
  let at = options.from
  for (let i = 0; i < options.readings; i++) {
    at = options.from + i * options.everyMs
    budget.note(at, remaining)
    remaining -= options.perReading
  }
  return { at, remaining: remaining + options.perReading }
}

describe('RateBudget', () => {
  it('leaves the poll schedule alone when this client is the only one spending', () => {
    const budget = new RateBudget()
    const last = feed(budget, { from: 0, remaining: 4999, readings: 20, everyMs: 500, perReading: 1 })
    expect(budget.othersRate()).toBe(0)
    expect(budget.spacing(last.at, SCHEDULE_MS)).toBeLessThan(SCHEDULE_MS)
    expect(budget.nextAt(last.at, SCHEDULE_MS)).toBe(last.at)
  })

  it('slows down when the headers say other clients are spending the account budget too', () => {
    const quiet = new RateBudget({ random: () => 0.5 })
    const busy = new RateBudget({ random: () => 0.5 })
    const q = feed(quiet, { from: 0, remaining: 4999, readings: 10, everyMs: 500, perReading: 1 })
    const b = feed(busy, { from: 0, remaining: 4999, readings: 10, everyMs: 500, perReading: 20 })
    expect(busy.othersRate()).toBeCloseTo(19 / 500)
    expect(busy.spentInWindow(b.at)).toBe(1 + 9 * 20)
    expect(busy.spacing(b.at, SCHEDULE_MS)).toBeGreaterThan(4 * SCHEDULE_MS)
    expect(busy.nextAt(b.at, SCHEDULE_MS)).toBeGreaterThan(b.at + SCHEDULE_MS)
    expect(quiet.nextAt(q.at, SCHEDULE_MS)).toBe(q.at)
  })

  it('slows down more, the more the others spend', () => {
    const spacings = [2, 10, 15, 20].map((perReading) => {
      const budget = new RateBudget()
      const last = feed(budget, { from: 0, remaining: 4999, readings: 10, everyMs: 500, perReading })
      return budget.spacing(last.at, SCHEDULE_MS)
    })
    for (let i = 1; i < spacings.length; i++) expect(spacings[i]).toBeGreaterThan(spacings[i - 1]!)
  })

  it('speeds up again once the others stop and their requests leave the minute', () => {
    const budget = new RateBudget({ random: () => 0.5 })
    const busy = feed(budget, { from: 0, remaining: 4999, readings: 10, everyMs: 500, perReading: 20 })
    expect(budget.nextAt(busy.at, SCHEDULE_MS)).toBeGreaterThan(busy.at + SCHEDULE_MS)
    // Alone again: one request of its own between readings, for a minute.
    const quiet = feed(budget, {
      from: busy.at + 5_000,
      remaining: busy.remaining - 1,
      readings: 30,
      everyMs: 2_000,
      perReading: 1
    })
    expect(budget.spentInWindow(quiet.at)).toBeLessThan(40)
    expect(budget.spacing(quiet.at, SCHEDULE_MS)).toBeLessThan(SCHEDULE_MS)
    expect(budget.nextAt(quiet.at, SCHEDULE_MS)).toBe(quiet.at)
  })

  it('waits longest when the account has spent its share of the minute', () => {
    const budget = new RateBudget({ maxSpacingMs: 12_000 })
    const last = feed(budget, { from: 0, remaining: 4999, readings: 5, everyMs: 1000, perReading: 60 })
    expect(budget.spentInWindow(last.at)).toBeGreaterThan(0.85 * PER_MINUTE)
    expect(budget.spacing(last.at, SCHEDULE_MS)).toBe(12_000)
  })

  it('spreads polls with jitter around the spacing', () => {
    const at = (r: number): number => {
      const budget = new RateBudget({ random: () => r })
      const last = feed(budget, { from: 0, remaining: 4999, readings: 10, everyMs: 500, perReading: 20 })
      return budget.nextAt(last.at, SCHEDULE_MS) - last.at
    }
    const spacing = (() => {
      const budget = new RateBudget()
      const last = feed(budget, { from: 0, remaining: 4999, readings: 10, everyMs: 500, perReading: 20 })
      return budget.spacing(last.at, SCHEDULE_MS)
    })()
    expect(at(0)).toBeCloseTo(0.75 * spacing)
    expect(at(0.999)).toBeCloseTo(1.2495 * spacing)
  })

  it("counts the hour's use before the first answer as spent in the minute, up to a quarter of it", () => {
    const burst = new RateBudget()
    burst.note(0, 4940, 5000)
    expect(burst.spentInWindow(0)).toBe(60)
    const used = new RateBudget()
    used.note(0, 3000, 5000)
    expect(used.spentInWindow(0)).toBe(PER_MINUTE / 4)
    expect(used.nextAt(0, SCHEDULE_MS)).toBe(0)
    const unknown = new RateBudget()
    unknown.note(0, 3000)
    expect(unknown.spentInWindow(0)).toBe(1)
  })

  it('forgets what the minute no longer holds', () => {
    const budget = new RateBudget()
    feed(budget, { from: 0, remaining: 4999, readings: 5, everyMs: 100, perReading: 30 })
    expect(budget.spentInWindow(400)).toBe(1 + 4 * 30)
    expect(budget.spentInWindow(60_401)).toBe(0)
  })

  it('takes a rise of the remaining count (a refill) as its own request only', () => {
    const budget = new RateBudget()
    budget.note(0, 10)
    budget.note(500, 4999)
    expect(budget.spentInWindow(500)).toBe(2)
    expect(budget.othersRate()).toBe(0)
  })

  it('ignores readings that are not numbers, and refuses bad options', () => {
    const budget = new RateBudget()
    budget.note(0, NaN)
    budget.note(NaN, 10)
    expect(budget.spentInWindow(0)).toBe(0)
    expect(budget.nextAt(0, SCHEDULE_MS)).toBe(0)
    expect(() => new RateBudget({ perMinute: 0 })).toThrow(/perMinute/)
    expect(() => new RateBudget({ windowMs: -1 })).toThrow(/windowMs/)
    expect(() => new RateBudget({ share: Infinity })).toThrow(/share/)
  })
})
