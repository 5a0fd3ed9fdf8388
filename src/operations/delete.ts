/** delete: releases a reserved IP (release.ts). Refuses while it is assigned; already gone is success. */
import type { DeleteInputs } from '../inputs/inputs.js'
import { releaseIp } from '../engine/release.js'
import { deleteReport } from '../report/delete-report.js'
import type { OperationResult } from '../report/result.js'
import type { OperationContext } from './operation.js'

export async function remove(ctx: OperationContext<DeleteInputs>): Promise<OperationResult> {
  const { engine, inputs, journal } = ctx
  const addr = inputs.ip
  const outcome = await releaseIp(engine, {
    addr,
    waitWhileBusy: true,
    sending: (record) => journal.noteRelease(record)
  })
  if (outcome.kind === 'gone')
    engine.log.info(`${addr.text} is not reserved in this account (already released); nothing to do`)
  if (outcome.kind === 'released') engine.log.info(`Released ${addr.text}`)
  return deleteReport(addr, outcome)
}
