import type { ApiClient } from '../http.js'
import type { Inputs } from '../inputs.js'

/** What every operation is given: validated inputs and the API client (which carries the logger and the deadline). */
export interface OperationContext {
  readonly client: ApiClient
  readonly inputs: Inputs
}
