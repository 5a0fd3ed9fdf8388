/** The outputs, summary and failure message of the rollback operation (see engine/undo.ts). */
import { movesJson } from '../inputs/moves.js'
import type { Undone, UndoResult } from '../engine/undo.js'
import { common, idText, withoutStop, worst } from './cutover-report.js'
import { cancelledNote, emptyOutputs, ipOutputs, timeTaken, type OperationResult, type Outputs } from './result.js'
import { changedOutput, moveChanged } from './changed.js'
import { addressCell, dropletCell, type Cell } from './cells.js'
import type { IpRecord } from '../do/ips.js'

const changedOf = (u: Undone): boolean => moveChanged(u.outcome)

/** What this step moved: each address from where it found it to its `from`. */
function ownMoves(result: UndoResult): string {
  return movesJson(
    result.undone
      .filter(changedOf)
      .map((u) => ({ addr: u.move.addr, from: u.outcome.before?.dropletId ?? u.move.to, to: u.move.from }))
  )
}

function outputsOf(result: UndoResult): Outputs {
  const outputs: Outputs = { ...emptyOutputs(), moves: ownMoves(result), rolled_back: String(result.rolledBack) }
  const { undone } = result
  if (undone.length === 0) return outputs
  const first = undone[0]
  outputs.ip = first.move.addr.text
  outputs.ip_version = String(first.move.addr.version)
  if (first.outcome.final) Object.assign(outputs, ipOutputs(first.outcome.final))
  outputs.droplet_id = common(undone.map((u) => (u.outcome.final ? idText(u.outcome.final.dropletId) : '?')))
  outputs.previous_droplet_id = common(undone.map((u) => idText(u.outcome.before?.dropletId)))
  outputs.action_id = idText(first.outcome.actionId)
  outputs.action_status = worst(undone.map((u) => u.outcome.actionStatus))
  outputs.changed = changedOutput(undone.map(changedOf))
  if (undone.length > 1) {
    outputs.ips = JSON.stringify(undone.map(entryOf))
    outputs.count = String(undone.length)
  }
  return outputs
}

function entryOf(u: Undone): Record<string, unknown> {
  const now = u.outcome.final
  return {
    ip: u.move.addr.text,
    ip_version: u.move.addr.version,
    region: now?.region ?? u.outcome.before?.region ?? '',
    droplet_id: now?.dropletId ?? null,
    previous_droplet_id: u.outcome.before?.dropletId ?? null,
    action_id: u.outcome.actionId ?? null,
    action_status: u.outcome.actionStatus,
    changed: changedOf(u)
  }
}

function troubleOf(u: Undone): string | undefined {
  return u.takenBy ?? u.outcome.error
}

function failureOf(result: UndoResult): string | undefined {
  const troubles = result.undone.flatMap((u) => troubleOf(u) ?? []).map(withoutStop)
  if (troubles.length === 0 && !result.cancelled) return undefined
  const now = result.undone.map((u) => `${u.move.addr.text} is ${u.now}`).join(', ')
  const head = result.cancelled ? `Cancelled (${result.cancelled}); nothing more was sent. ` : ''
  return `${head}${troubles.length ? `${troubles.join('; ')}. ` : ''}Now: ${now}.`
}

function statusOf(u: Undone): string {
  if (u.takenBy) return 'moved by another change'
  if (u.outcome.error !== undefined) return u.outcome.actionStatus || 'failed'
  if (!u.outcome.sent) return 'already home'
  return u.home ? 'rolled back' : u.outcome.actionStatus || 'unknown'
}

/** A droplet of the moves input, named when a read of the address showed it there. */
function named(id: number | null, ...reads: (IpRecord | undefined)[]): Cell {
  const read = reads.find((r) => r !== undefined && r.dropletId === id)
  return dropletCell(id, read?.dropletName)
}

/** The row of one address, in the columns of a cutover's summary. */
function rowOf(u: Undone): Cell[] {
  const { before, final, actionId } = u.outcome
  const action = idText(actionId)
  return [
    addressCell(u.move.addr.text),
    // Where the roll-back found it (the earlier step's target, unless another change moved it).
    before ? dropletCell(before.dropletId, before.dropletName) : named(u.move.to, final),
    named(u.move.from, final, before),
    final ? dropletCell(final.dropletId, final.dropletName) : 'unknown',
    action ? `${statusOf(u)} (action ${action})` : statusOf(u)
  ]
}

function titleOf(result: UndoResult, error: string | undefined): string {
  const ips = result.undone.map((u) => u.move.addr.text).join(', ')
  if (result.undone.length === 0) return 'Reserved IP rollback: nothing to undo'
  if (result.cancelled) return `Reserved IP rollback cancelled: ${ips}`
  if (error) return `Reserved IP rollback failed: ${ips}`
  if (!result.undone.some(changedOf)) return `Reserved IP rollback (no change): ${ips}`
  return `Reserved IP rollback: ${ips}`
}

export function rollbackReport(result: UndoResult): OperationResult {
  const error = failureOf(result)
  const notes = error ? [result.cancelled ? cancelledNote(error) : `**Failed:** ${error}`] : []
  if (result.undone.length === 0)
    notes.push('The moves input names no address: nothing was moved, so nothing is undone.')
  notes.push(timeTaken(result))
  return {
    outputs: outputsOf(result),
    error,
    summary: {
      title: titleOf(result, error),
      tables: result.undone.length
        ? [
            {
              header: ['Address', 'From', 'Back to', 'Now on', 'Result'],
              rows: result.undone.map(rowOf)
            }
          ]
        : [],
      notes
    }
  }
}
