/** rollback: moves back what an earlier assign/unassign step moved (its moves output; see engine/undo.ts). */
import { undoMoves } from '../engine/undo.js'
import { rollbackReport } from '../report/rollback-report.js'
import type { OperationResult } from '../report/result.js'
import type { RollbackInputs } from '../inputs/inputs.js'
import type { OperationContext } from './operation.js'

export async function rollback(ctx: OperationContext<RollbackInputs>): Promise<OperationResult> {
  return rollbackReport(await undoMoves(ctx.engine, ctx.inputs.moves, ctx.journal))
}
