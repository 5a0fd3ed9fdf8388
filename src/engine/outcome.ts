/**
 * What the move of one address ends in: a value, never an exception, once a change was sent. Every
 * field that says where the address is comes from a read made after the last change request.
 */
import type { Address } from '../inputs/address.js'
import type { IpRecord } from '../do/ips.js'
import { ipPath } from '../do/ips.js'

/** What a move tells the journal as it goes. */
export interface MoveObserver {
  /** A change request is about to be sent (its answer may never come). */
  sending(before: IpRecord, target: number | null): void
  /** An action of this step's is under way (started, or found in progress after a lost answer). */
  started(actionId: number): void
  /** It ended. */
  ended(actionId: number, status: 'completed' | 'errored'): void
  /** The address as read after a change request. */
  read(record: IpRecord): void
  /** DigitalOcean's answers showed that the request changed nothing (a refusal, a pending event until the end). */
  unchanged(): void
}

export interface MoveRequest {
  readonly addr: Address
  /** The droplet to move the IP to; null detaches it (unassign). */
  readonly target: number | null
  /** expected_droplet_id: go ahead only while the IP is held by this droplet (null: by none). */
  readonly expected?: number | null
  readonly wait: boolean
  /** The IP as just read, which saves a read; it is read again if it shows an action in progress. */
  readonly initial?: IpRecord
  /** Told of each change request, action and read as the move goes (the step's journal). */
  readonly observer?: MoveObserver
}

/**
 * Whether this step changed the address: 'yes' (its action completed, or the address shows its
 * change), 'no' (nothing was sent, or DigitalOcean refused it, or the action errored and left the
 * address where it was), 'unknown' (a request may have gone through: reported as changed).
 */
export type Changed = 'yes' | 'no' | 'unknown'

export type ActionStatus = 'completed' | 'in-progress' | 'errored' | ''

export interface MoveOutcome {
  /** The address when the move was decided (after any action already in progress on it had ended). */
  readonly before?: IpRecord
  /**
   * Where the address is: from a read made after the last change request (the one that confirmed
   * it, or the last read after a failure), else as read when deciding. undefined: that read failed,
   * so the state is unknown.
   */
  readonly final?: IpRecord
  readonly actionId?: number
  /** '' when no action of this step's is known. */
  readonly actionStatus: ActionStatus
  readonly changed: Changed
  /** A request that may change the address was sent. */
  readonly sent: boolean
  /** Set when the move failed, did not finish in time, or was cancelled. */
  readonly error?: string
}

/** Reported as changed: a later roll-back step then runs, and moving an address already home is harmless. */
export const reportsChanged = (changed: Changed): boolean => changed !== 'no'

/** The error for an address whose state could not be read after a change request. */
export function unknownState(addr: Address, why: string): string {
  return `${addr.text} is in an unknown state: it could not be read after a request to change it (${why}). Look with GET ${ipPath(addr)} (or operation: get)`
}

/** The words for the cause of a cancellation: the signal's name when main.ts gave it. */
export function cancelCause(signal: AbortSignal): string {
  const reason: unknown = signal.reason
  return typeof reason === 'string' && reason !== '' ? reason : 'the step was cancelled'
}

/** Whether the IP is where the move is to take it. */
export const isAt =
  (target: number | null) =>
  (ip: IpRecord): boolean =>
    ip.dropletId === target

/** The target of a move as words: 'droplet 42' or 'no droplet'. */
export const targetText = (target: number | null): string => (target === null ? 'no droplet' : `droplet ${target}`)

export function describeMove(req: Pick<MoveRequest, 'addr' | 'target'>): string {
  return req.target === null ? `unassign ${req.addr.text}` : `assign ${req.addr.text} to droplet ${req.target}`
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
