/** The shape of a GitHub workflow, as far as the tests of the examples and the README's recipes read it. */
export interface Step {
  id?: string
  name?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, unknown>
  env?: Record<string, unknown>
}

interface Job {
  if?: string
  environment?: unknown
  steps?: Step[]
  [key: string]: unknown
}

export interface Workflow {
  on?: unknown
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean }
  permissions?: Record<string, string>
  jobs?: Record<string, Job>
  [key: string]: unknown
}
