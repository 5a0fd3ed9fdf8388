import type { EngineContext } from '../engine/context.js'
import type { Journal } from '../engine/journal.js'
import type { ApiClient } from '../transport/http.js'
import type { Inputs } from '../inputs/inputs.js'

/**
 * What every operation is given: validated inputs, the engine's context (the step's clock,
 * deadline, cancellation signal and logger, with the API client bound to them), that client, and
 * the step's journal, in which the operation records what it has done as it goes (a cancelled
 * step reports from it when the operation does not return in time).
 */
export interface OperationContext {
  readonly engine: EngineContext
  /** engine.api: the client bound to the step's context. */
  readonly client: ApiClient
  readonly inputs: Inputs
  readonly userAgent: string
  readonly journal: Journal
}
