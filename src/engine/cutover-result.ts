/** The plan of a cutover and what became of each of its addresses (see cutover.ts). */
import type { Address } from '../inputs/address.js'
import type { IpRecord } from '../do/ips.js'
import type { DropletRef } from '../do/droplets.js'
import type { PrecheckInputs, VerifyInputs } from '../inputs/inputs.js'
import type { ReportRead } from './ip-read.js'
import type { ProbeResult } from './verify.js'
import { reportsChanged, type MoveOutcome } from './outcome.js'

export interface CutoverPlan {
  readonly addrs: readonly Address[]
  /** Where the addresses go; null: detached from their droplets (unassign). */
  readonly target: DropletRef | null
  readonly expected?: number | null
  readonly wait: boolean
  readonly verify?: VerifyInputs
  /** precheck_url: probe the target droplet before anything moves (before-move.ts). */
  readonly precheck?: PrecheckInputs
  readonly rollback: boolean
  /** The step's timeout: the rollback gets this much afresh. */
  readonly timeoutMs: number
  readonly userAgent: string
}

/** What became of one address. */
export interface AddressResult {
  readonly addr: Address
  /** As first read; undefined when even that failed. */
  readonly read?: IpRecord
  readonly move?: MoveOutcome
  /** Why the address could not be moved (it could not be read). */
  readonly error?: string
  /** The precheck's probe of the target droplet for this address's family. */
  readonly precheck?: ProbeResult
  readonly probe?: ProbeResult
  /** The read after verification passed. */
  readonly confirm?: ReportRead
  readonly back?: MoveOutcome
  readonly backError?: string
}

export interface CutoverResult {
  readonly plan: CutoverPlan
  readonly addresses: readonly AddressResult[]
  /** Set when the cutover was refused before anything was sent. */
  readonly refused?: string
  /** undefined without verify_url (or when nothing got as far as verification). */
  readonly verified?: boolean
  readonly rolledBack: boolean
  readonly startedAt: number
  readonly finishedAt: number
  /** The cause, when the step was cancelled. */
  readonly cancelled?: string
}

/** The droplet id the plan moves to (null: none). */
export const targetId = (plan: CutoverPlan): number | null => (plan.target ? plan.target.id : null)

export const failedToMove = (a: AddressResult): boolean =>
  a.error !== undefined || a.move === undefined || a.move.error !== undefined

/** This step sent a change to the address that took effect or may have. */
export const moved = (a: AddressResult): boolean => a.move !== undefined && reportsChanged(a.move.changed)
