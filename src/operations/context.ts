import type { ActionEvent } from '../engine/cutover.js'
import type { EngineContext } from '../engine/context.js'
import type { ApiClient } from '../transport/http.js'
import type { Inputs } from '../inputs/inputs.js'

/**
 * What every operation is given: validated inputs, the engine's context (the step's clock,
 * deadline, cancellation signal and logger, with the API client bound to them) and that client.
 */
export interface OperationContext {
  readonly engine: EngineContext
  /** engine.api: the client bound to the step's context. */
  readonly client: ApiClient
  readonly inputs: Inputs
  readonly userAgent: string
  /** Told of each action a cutover starts and ends, so that a cancelled step can report those under way. */
  readonly onAction?: (event: ActionEvent) => void
}
