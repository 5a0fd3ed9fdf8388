/**
 * The simulator set-up the scenario tests share: a simulator started before each test (or once for
 * a file) and seeded by the test file, then, after it, the check that every request the action sent
 * and every answer it got fitted DigitalOcean's OpenAPI description, and the simulator closed.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from '@jest/globals'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../sim/simulator.js'
import { restoreDate, simMs } from './support.js'

type Hook = (fn: () => Promise<void>) => void

/** After a test: every request and answer fitted the OpenAPI description; the simulator closed. */
async function checkAndClose(sim: Simulator | undefined): Promise<void> {
  restoreDate()
  expect(sim?.violations).toEqual([])
  await sim?.close()
}

function simulatorAround(before: Hook, after: Hook, options: SimulatorOptions, seed: (sim: Simulator) => void): void {
  let sim: Simulator | undefined
  before(async () => {
    sim = await startSimulator(options)
    seed(sim)
  })
  after(() => checkAndClose(sim))
}

/** A fresh simulator for each test; `seed` keeps it (and adds droplets) for the tests to use. */
export function simulatorForEachTest(options: SimulatorOptions, seed: (sim: Simulator) => void): void {
  simulatorAround(beforeEach, afterEach, options, seed)
}

/**
 * A simulator that each test starts itself, with its own options over `defaults` (the function
 * returned); `seed` keeps it. After a test that started one, it is checked and closed.
 */
export function simulatorStartedByTest(
  defaults: SimulatorOptions,
  seed: (sim: Simulator) => void = () => undefined
): (options?: SimulatorOptions) => Promise<Simulator> {
  let sim: Simulator | undefined
  afterEach(async () => {
    const started = sim
    sim = undefined
    if (started) await checkAndClose(started)
  })
  return async (options = {}) => {
    sim = await startSimulator({ ...defaults, ...options })
    seed(sim)
    return sim
  }
}

/** One simulator for all the tests of a file, for tests that each make their own addresses. */
export function simulatorForAllTests(options: SimulatorOptions, seed: (sim: Simulator) => void): void {
  simulatorAround(beforeAll, afterAll, options, seed)
}

/** The simulator the change tests use: three droplets in one region, blue, green and purple. */
export interface ThreeDroplets {
  readonly sim: Simulator
  readonly blue: number
  readonly green: number
  readonly purple: number
}

/** A fresh simulator with three droplets for each test; `keep` keeps it for the tests to use. */
export function threeDropletsForEachTest(keep: (three: ThreeDroplets) => void): void {
  simulatorForEachTest({ actionDurationMs: simMs(200), routingDelayMs: 0 }, (sim) => {
    const id = (name: string): number => sim.addDroplet({ name, region: 'nyc3' }).id
    keep({ sim, blue: id('blue-1'), green: id('green-1'), purple: id('purple-1') })
  })
}
