import type { ActionEvent } from '../engine/cutover.js'
import type { ApiClient } from '../transport/http.js'
import type { Inputs } from '../inputs/inputs.js'

/** What every operation is given: validated inputs and the API client (which carries the logger and the deadline). */
export interface OperationContext {
  readonly client: ApiClient
  readonly inputs: Inputs
  readonly userAgent: string
  /** Told of each action a cutover starts and ends, so that a cancelled step can report those under way. */
  readonly onAction?: (event: ActionEvent) => void
}
