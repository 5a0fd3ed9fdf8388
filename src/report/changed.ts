/**
 * `changed`, decided here for every report: true when a request of this step took effect or may
 * have (an outcome called unknown counts, so that a later roll-back or clean-up step runs). A
 * request DigitalOcean refused, or one that never went out, changed nothing.
 */
import type { CreateOutcome } from '../engine/create-protocol.js'
import type { AddressEntry } from '../engine/journal.js'
import type { MoveOutcome } from '../engine/outcome.js'
import type { PruneEntry } from '../engine/prune.js'
import type { ReleaseOutcome } from '../engine/release.js'

/** A move (or a roll-back's): its action completed, may still complete, or the address shows it. */
export const moveChanged = (move: MoveOutcome | undefined): boolean => move !== undefined && move.changed !== 'no'

/** A create accepted, or one whose answer was lost (an address may have been reserved). */
export const createChanged = (outcome: CreateOutcome): boolean => outcome.kind !== 'not-reserved'

/** A release answered 204, gone on the read after a lost answer, or whose outcome is unknown. */
export const releaseChanged = (outcome: ReleaseOutcome): boolean =>
  outcome.kind === 'released' || outcome.kind === 'unknown'

/** One of prune's releases: released, unknown, or sent with no answer yet (cancelled). */
export const pruneEntryChanged = (entry: PruneEntry): boolean =>
  entry.state.kind === 'released' || entry.state.kind === 'unknown' || entry.state.kind === 'releasing'

/** An address on the step's record: a change request was on record before it was sent. */
export const recordedChange = (entry: AddressEntry | undefined): boolean => entry !== undefined

/** The `changed` output: any of them. */
export const changedOutput = (changes: readonly boolean[]): string => String(changes.some(Boolean))
