/**
 * The simulator's clocks: a test's (such as scaledClock) or Date.now for epoch times, and the
 * relative times (ms after the simulator started) that requests and actions are stamped with.
 */
import { performance } from 'node:perf_hooks'

/**
 * @typedef {object} SimClock
 * @property {() => number} now Epoch ms.
 */

/**
 * See scaledClock(). The shape of the action's Clock (src/context.ts), so one object can drive both.
 * @typedef {object} ScaledClock
 * @property {number} scale
 * @property {() => number} now Epoch ms.
 * @property {(ms: number, signal?: AbortSignal) => Promise<void>} sleep Waits ms of this clock (ms / scale
 *   real ms); resolves at once when the signal is or becomes aborted.
 * @property {(ms: number) => number} scaled ms: a schedule on this clock needs no further scaling.
 */

/**
 * A clock that runs `scale` times faster than real time, starting at `start` (epoch ms, default now):
 * `now()` reads it, `sleep(ms, signal)` waits ms of it (ms / scale real ms; an aborted signal ends the
 * sleep at once), `scaled(ms)` is ms (a schedule on this clock needs no further scaling). The same
 * object can drive the simulator (options.clock) and the action (runOperation's clock), so that a
 * test runs DigitalOcean's time and the action's on one fast clock.
 * @param {number} scale
 * @param {number} [start]
 * @returns {ScaledClock}
 */
export function scaledClock(scale, start = Date.now()) {
  if (!(typeof scale === 'number' && scale > 0 && Number.isFinite(scale)))
    throw new Error(`scaledClock: scale must be a positive number (got ${scale})`)
  const realStart = performance.now()
  return {
    scale,
    now: () => start + (performance.now() - realStart) * scale,
    scaled: (ms) => ms,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.resolve()
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', done)
          resolve(undefined)
        }
        const timer = setTimeout(done, Math.max(0, ms) / scale)
        signal?.addEventListener('abort', done, { once: true })
      })
    }
  }
}

/**
 * The simulator's time: `now()` epoch ms on the test's clock (or Date.now); `sinceOrigin()` ms after
 * `timeOrigin` (a performance.now() value), or on a test's clock that clock's ms since the start.
 * `timers` is false on a test's clock: no timers run, and what is due happens at the next request
 * or inspection.
 * @param {SimClock} [clock]
 */
export function simulatorTime(clock) {
  if (clock !== undefined && (!clock || typeof clock.now !== 'function' || !Number.isFinite(clock.now())))
    throw new Error('startSimulator: clock must have a now() that returns epoch milliseconds')
  const now = clock ? () => clock.now() : () => Date.now()
  const timeOrigin = performance.now()
  const clockOrigin = now()
  const sinceOrigin = clock ? () => now() - clockOrigin : () => performance.now() - timeOrigin
  return { now, sinceOrigin, timeOrigin, timers: !clock }
}

/** @typedef {ReturnType<typeof simulatorTime>} SimTime */

/**
 * ISO 8601 to the second, as DigitalOcean writes times.
 * @param {number} ms
 */
export function isoSeconds(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/**
 * Epoch ms from a number (epoch ms), a Date or an ISO 8601 text.
 * @param {string} where
 * @param {number | Date | string} value
 */
export function epochMs(where, value) {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new Error(`${where}: '${value}' is not a time`)
  return ms
}
