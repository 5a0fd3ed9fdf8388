/** The operation input: which of the action's operations the step runs. */
import { InputError } from './field.js'

export const OPERATIONS = ['assign', 'unassign', 'create', 'get', 'list', 'delete', 'prune', 'rollback'] as const
export type Operation = (typeof OPERATIONS)[number]

export function parseOperation(raw: string): Operation {
  const op = raw.toLowerCase() || 'assign'
  if (!(OPERATIONS as readonly string[]).includes(op)) {
    throw new InputError('operation', `unknown operation '${op}'; use one of ${OPERATIONS.join(', ')}`)
  }
  return op as Operation
}
