import type { Address } from '../address.js'
import type { IpRecord } from '../api.js'
import type { ApiClient } from '../http.js'
import type { Inputs } from '../inputs.js'

/** What every operation is given: validated inputs and the API client (which carries the logger and the deadline). */
export interface OperationContext {
  readonly client: ApiClient
  readonly inputs: Inputs
  readonly userAgent: string
  /** Told of each action a cutover starts, so that a cancelled step can report it. */
  readonly onAction?: (addr: Address, before: IpRecord | undefined, actionId: number) => void
}
