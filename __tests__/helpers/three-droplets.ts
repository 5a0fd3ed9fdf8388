/** A simulator with three droplets in one region (blue, green, purple), as the change tests use it. */
import { startSimulator, type Simulator } from '../../sim/simulator.js'
import { simMs } from './support.js'

export interface ThreeDroplets {
  readonly sim: Simulator
  readonly blue: number
  readonly green: number
  readonly purple: number
}

export async function threeDroplets(): Promise<ThreeDroplets> {
  const sim = await startSimulator({ actionDurationMs: simMs(200), routingDelayMs: 0 })
  const id = (name: string): number => sim.addDroplet({ name, region: 'nyc3' }).id
  return { sim, blue: id('blue-1'), green: id('green-1'), purple: id('purple-1') }
}
