/** Runs the chosen operation: the one place that maps an operation name to its module. */
import { ApiClient } from './http.js'
import type { Inputs, Operation } from './inputs.js'
import type { Logger } from './logger.js'
import type { OperationResult } from './result.js'
import { assign } from './operations/assign.js'
import { create } from './operations/create.js'
import { remove } from './operations/delete.js'
import { get } from './operations/get.js'
import { list } from './operations/list.js'
import { prune } from './operations/prune.js'
import { unassign } from './operations/unassign.js'
import type { OperationContext } from './operations/context.js'

const OPERATIONS: Record<Operation, (ctx: OperationContext) => Promise<OperationResult>> = {
  assign,
  unassign,
  create,
  get,
  list,
  delete: remove,
  prune
}

export interface RunOptions {
  readonly log: Logger
  readonly userAgent: string
  /** Told of each action a cutover starts, so that a cancelled step can report it. */
  readonly onAction?: OperationContext['onAction']
  /** When the step started (epoch ms); the timeout counts from here. */
  readonly startedAt?: number
  /** Overrides for the client's time limits (tests). */
  readonly client?: Partial<
    Pick<
      ConstructorParameters<typeof ApiClient>[0],
      'requestTimeoutMs' | 'maxAttempts' | 'retryBudgetMs' | 'baseDelayMs' | 'maxDelayMs' | 'env' | 'timeScale'
    >
  >
}

export async function runOperation(inputs: Inputs, options: RunOptions): Promise<OperationResult> {
  const client = new ApiClient({
    baseUrl: inputs.apiUrl,
    token: inputs.token,
    userAgent: options.userAgent,
    deadline: (options.startedAt ?? Date.now()) + inputs.timeoutMs,
    log: options.log,
    ...options.client
  })
  return OPERATIONS[inputs.operation]({ client, inputs, userAgent: options.userAgent, onAction: options.onAction })
}
