/**
 * create: reserves a new IP (engine/create.ts: its change protocol, then the move onto the
 * droplet) and reports it (report/create-report.ts).
 */
import { createIp } from '../engine/create.js'
import { createReport } from '../report/create-report.js'
import type { OperationResult } from '../report/result.js'
import type { OperationContext } from './operation.js'

export async function create(op: OperationContext): Promise<OperationResult> {
  const { inputs } = op
  const result = await createIp(
    op.engine,
    {
      version: inputs.ipVersion ?? 4,
      region: inputs.region,
      droplet: inputs.droplet,
      projectId: inputs.projectId,
      wait: inputs.wait
    },
    op.journal
  )
  return createReport(result)
}
