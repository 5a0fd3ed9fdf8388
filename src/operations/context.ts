import type { ActionEvent } from '../engine/cutover.js'
import type { PruneProgress } from '../engine/prune.js'
import type { ApiClient } from '../transport/http.js'
import type { Inputs } from '../inputs/inputs.js'

/** What every operation is given: validated inputs and the API client (which carries the logger and the deadline). */
export interface OperationContext {
  readonly client: ApiClient
  readonly inputs: Inputs
  readonly userAgent: string
  /** Told of each action a cutover starts and ends, so that a cancelled step can report those under way. */
  readonly onAction?: (event: ActionEvent) => void
  /**
   * Handed prune's progress as it starts: a cancelled step stops it (stopPrune) and reports it
   * (pruneReport with `cancelled`), naming the addresses released so far and those not tried.
   */
  readonly onPrune?: (progress: PruneProgress) => void
}
