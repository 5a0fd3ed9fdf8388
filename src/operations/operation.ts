import type { EngineContext } from '../engine/step.js'
import type { Journal } from '../engine/journal.js'
import type { Inputs } from '../inputs/inputs.js'

/**
 * What every operation is given: its own validated inputs (`I`, one member of the Inputs union), the engine's context (the step's clock,
 * deadline, cancellation signal and logger, beside DigitalOcean's services, which take it on each
 * call), and the step's journal, in which the operation records what it has done as it goes (a cancelled
 * step reports from it when the operation does not return in time).
 */
export interface OperationContext<I = Inputs> {
  readonly engine: EngineContext
  readonly inputs: I
  readonly userAgent: string
  readonly journal: Journal
}
