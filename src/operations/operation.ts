import type { EngineContext } from '../engine/step.js'
import type { Journal } from '../engine/journal.js'
import type { Inputs } from '../inputs/inputs.js'

/**
 * What every operation is given: validated inputs, the engine's context (the step's clock,
 * deadline, cancellation signal and logger, beside DigitalOcean's services, which take it on each
 * call), and the step's journal, in which the operation records what it has done as it goes (a cancelled
 * step reports from it when the operation does not return in time).
 */
export interface OperationContext {
  readonly engine: EngineContext
  readonly inputs: Inputs
  readonly userAgent: string
  readonly journal: Journal
}
