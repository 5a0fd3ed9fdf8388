/** The outputs and summary of an assign or unassign that sent a change: one shape for both. */
import type { IpRecord } from '../api.js'
import { secs } from '../http.js'
import type { ChangeOutcome } from '../ip-action.js'
import { dropletLabel, emptyOutputs, ipOutputs, type OperationResult } from '../result.js'

export interface MoveReport {
  readonly title: string
  readonly before: IpRecord
  readonly outcome: ChangeOutcome
  readonly startedAt: number
  /** How to name the droplet it went to, when the answer did not name it. */
  readonly to: string
  readonly notes: readonly string[]
}

export function moveResult({ title, before, outcome, startedAt, to, notes }: MoveReport): OperationResult {
  // After a timeout the IP may not have been readable: report it as it was before.
  const final = outcome.final.raw === null ? before : outcome.final
  const outputs = { ...emptyOutputs(), ...ipOutputs(final) }
  outputs.previous_droplet_id = before.dropletId === null ? '' : String(before.dropletId)
  outputs.action_id = outcome.actionId === undefined ? '' : String(outcome.actionId)
  outputs.action_status = outcome.actionStatus
  outputs.changed = 'true'
  const toLabel = final.dropletName || final.dropletId === null ? dropletLabel(final.dropletId, final.dropletName) : to
  return {
    outputs,
    error: outcome.error,
    summary: {
      title,
      tables: [
        {
          header: ['IP', 'From droplet', 'To droplet', 'Region', 'Action', 'Status', 'Time taken'],
          rows: [
            [
              final.ip,
              dropletLabel(before.dropletId, before.dropletName),
              toLabel,
              final.region || before.region,
              outputs.action_id || '-',
              outcome.actionStatus,
              secs(Date.now() - startedAt)
            ]
          ]
        }
      ],
      notes:
        outcome.actionStatus === 'in-progress' && !outcome.error
          ? ['wait: false: the action was started and not waited for.', ...notes]
          : notes
    }
  }
}
