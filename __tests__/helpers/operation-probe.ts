/** Whether src/ knows an operation of the contract yet, asked of the input parser (no request). */
import { parseInputs } from '../../src/inputs/inputs.js'

/** true once `operation: rollback` (with `moves`) parses; false while the parser names `operation` as unknown. */
export function knowsRollback(): boolean {
  try {
    parseInputs((name) => ({ token: 'probe', operation: 'rollback', moves: '[]' })[name] ?? '', {})
    return true
  } catch (error) {
    return !/operation/.test((error as Error).message)
  }
}
