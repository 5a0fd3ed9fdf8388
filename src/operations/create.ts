/**
 * create: reserves a new IP (engine/create.ts: its change protocol, then the move onto the
 * droplet) and reports it (report/create-report.ts).
 */
import type { CreateInputs } from '../inputs/inputs.js'
import { createIp } from '../engine/create.js'
import { createReport } from '../report/create-report.js'
import type { OperationResult } from '../report/result.js'
import type { OperationContext } from './operation.js'

export async function create(op: OperationContext<CreateInputs>): Promise<OperationResult> {
  return createReport(await createIp(op.engine, op.inputs, op.journal))
}
