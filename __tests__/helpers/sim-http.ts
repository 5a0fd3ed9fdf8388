/** Talking to the simulator's API from a test of the simulator itself, and one simulator per test. */
import { afterEach, expect } from '@jest/globals'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../sim/simulator.js'

export interface SimAnswer {
  status: number
  body: any
}

/** Sends one request with the simulator's token; 'no answer' when none came within timeoutMs. */
export async function callSim(
  sim: Simulator,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 5000
): Promise<SimAnswer | 'no answer'> {
  const headers: Record<string, string> = { authorization: `Bearer ${sim.token}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  try {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs)
    })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined }
  } catch {
    return 'no answer'
  }
}

/**
 * One simulator per test: `start` starts it; after each test it must have seen no OpenAPI violation,
 * and it is closed.
 */
export function simulatorPerTest(): { start(options?: SimulatorOptions): Promise<Simulator> } {
  let sim: Simulator | undefined
  afterEach(async () => {
    if (!sim) return
    const seen = sim
    sim = undefined
    expect(seen.violations).toEqual([])
    await seen.close()
  })
  return {
    async start(options = {}) {
      sim = await startSimulator(options)
      return sim
    }
  }
}
