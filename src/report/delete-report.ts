/**
 * The report of a delete, from its release's outcome (engine/release.ts) and the address asked for.
 */
import type { Address } from '../inputs/address.js'
import type { ReleaseOutcome } from '../engine/release.js'
import { dropletLabel } from '../words.js'
import { emptyOutputs, ipOutputs, type OperationResult, type Outputs } from './result.js'
import { changedOutput, releaseChanged } from './changed.js'

/** What a workflow reads of the release: changed is true when this step's request released it or may have. */
export function deleteReport(addr: Address, outcome: ReleaseOutcome): OperationResult {
  const outputs: Outputs = { ...emptyOutputs(), ip: addr.text, ip_version: String(addr.version) }
  const record = 'record' in outcome ? outcome.record : undefined
  if (record) Object.assign(outputs, ipOutputs(record))
  const gone = outcome.kind === 'released'
  if (gone) Object.assign(outputs, { droplet_id: '', json: '' })
  outputs.changed = changedOutput([releaseChanged(outcome)])
  const error = errorOf(addr, outcome)
  const result = gone ? 'released' : outcome.kind === 'gone' ? 'already released' : outcome.kind
  return {
    outputs,
    error,
    summary: {
      title: error
        ? `Reserved IP delete failed: ${addr.text}`
        : gone
          ? `Reserved IP released: ${addr.text}`
          : 'Reserved IP: delete (no change)',
      tables: [
        {
          header: ['IP', 'Version', 'Region', 'Result'],
          rows: [[addr.text, `IPv${addr.version}`, record?.region ?? '', result]]
        }
      ],
      notes: [
        ...(error ? [`**Failed:** ${error}`] : []),
        ...(outcome.kind === 'released' && outcome.unsure ? [`${addr.text}: ${outcome.unsure}.`] : [])
      ]
    }
  }
}

function errorOf(addr: Address, outcome: ReleaseOutcome): string | undefined {
  switch (outcome.kind) {
    case 'released':
    case 'gone':
      return undefined
    case 'assigned': {
      const on = dropletLabel(outcome.record.dropletId, outcome.record.dropletName)
      const meanwhile = outcome.sent ? ' (another change assigned it while the release had no clear answer)' : ''
      return `${addr.text} is assigned to droplet ${on}${meanwhile}; it was not released. Unassign it first (operation: unassign) if it really is to go.`
    }
    case 'busy':
      return `${addr.text} is busy (${outcome.reason}); it was not released`
    case 'stopped':
      return `${addr.text} was not released: the step is stopping`
    case 'failed':
      return outcome.sent ? `${addr.text} was not released: ${outcome.error}` : outcome.error
    case 'unknown':
      return `${addr.text}: ${outcome.error}`
  }
}
