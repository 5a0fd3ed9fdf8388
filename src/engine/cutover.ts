/**
 * A cutover: one or more reserved IPs moved to one droplet (or detached) as a unit.
 *
 *   plan      read every address, refuse the whole cutover before anything is sent if one cannot go
 *   check     what the target can hold, and precheck_url on its own addresses (before-move.ts, issue 19)
 *   move      move every address in parallel (moveIp: lock-aware, never sends a change twice)
 *   verify    probe verify_url behind each moved address
 *   roll back when one address could not move or verification failed, move back every address that
 *             moved, each to the droplet that held it before, within a fresh timeout
 */
import type { Address } from '../inputs/address.js'
import type { IpRecord } from '../do/ips.js'
import type { DropletRef } from '../do/droplets.js'
import type { ApiClient } from '../transport/http.js'
import { expectedProblem, moveIp, type MoveOutcome, type MoveRequest } from './move.js'
import { mustReadIp, OperationError } from './ip-read.js'
import type { VerifyInputs } from '../inputs/inputs.js'
import { probeAndHold, probeSpec, probeUrl, type ProbeResult } from './verify.js'
import type { PrecheckInputs } from '../inputs/inputs.js' // precheck (issue 19)
import { beforeMove } from './before-move.js' // precheck and cutover limits (issue 19)
import { dropletLabel } from '../report/result.js'
import { waitForAction } from './wait.js'

export interface CutoverPlan {
  readonly addrs: readonly Address[]
  /** Where the addresses go; null: detached from their droplets (unassign). */
  readonly target: DropletRef | null
  readonly expected?: number | null
  readonly wait: boolean
  readonly verify?: VerifyInputs
  /** precheck_url: probe the target droplet before anything moves (before-move.ts; issue 19). */
  readonly precheck?: PrecheckInputs
  readonly rollback: boolean
  /** The step's timeout: the rollback gets this much afresh. */
  readonly timeoutMs: number
  readonly userAgent: string
  /** Told of each action as it starts and as it ends, so that a cancelled step can report those under way. */
  readonly onAction?: (event: ActionEvent) => void
}

export interface ActionEvent {
  readonly addr: Address
  /** The IP before the action. */
  readonly before: IpRecord | undefined
  readonly actionId: number
  /** false: started (or adopted); true: finished, completed or errored. */
  readonly ended: boolean
}

/** moveIp for a cutover: tells plan.onAction of the action it starts and of its end. */
async function reportedMove(
  client: ApiClient,
  plan: CutoverPlan,
  req: Omit<MoveRequest, 'onAction'>,
  before: IpRecord | undefined
): Promise<MoveOutcome> {
  const tell = (actionId: number, ended: boolean): void => plan.onAction?.({ addr: req.addr, before, actionId, ended })
  return moveIp(client, { ...req, onAction: tell })
}

/** What became of one address. */
export interface AddressResult {
  readonly addr: Address
  /** As first read; undefined when even that failed. */
  readonly read?: IpRecord
  readonly move?: MoveOutcome
  /** Why the address could not be moved. */
  readonly error?: string
  /** The precheck's probe of the target droplet for this address's family (issue 19). */
  readonly precheck?: ProbeResult
  readonly probe?: ProbeResult
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
}

export async function runCutover(client: ApiClient, plan: CutoverPlan): Promise<CutoverResult> {
  const startedAt = Date.now()
  const reads = await readAll(client, plan.addrs)
  const refused = refusal(plan, reads)
  if (refused) return { plan, addresses: reads, refused, rolledBack: false, startedAt }
  // --- issue 19 begin: DigitalOcean's limits on the target and precheck_url, before anything moves.
  const before = await beforeMove(client, plan, reads)
  if (before.refused) {
    const { addresses, verified } = before
    return { plan, addresses, refused: before.refused, verified, rolledBack: false, startedAt }
  }
  client = before.client
  // --- issue 19 end (moveAll below takes before.addresses, which carry the precheck probes)
  let addresses = await moveAll(client, plan, before.addresses)
  const failed = addresses.some(failedToMove)
  let verified: boolean | undefined
  if (!failed && plan.verify) {
    addresses = await verifyAll(client, plan, plan.verify, addresses)
    verified = addresses.every((a) => a.probe === undefined || a.probe.passed)
  }
  // One address of several that could not move, or a failed verification: undo what moved.
  const undo = (failed && plan.addrs.length > 1) || verified === false
  if (!undo || !plan.rollback || !addresses.some(moved)) {
    return { plan, addresses, verified, rolledBack: false, startedAt }
  }
  addresses = await rollBack(client.withDeadline(Date.now() + plan.timeoutMs), plan, addresses)
  return { plan, addresses, verified, rolledBack: addresses.some((a) => a.back?.changed), startedAt }
}

export const failedToMove = (a: AddressResult): boolean =>
  a.error !== undefined || a.move === undefined || a.move.error !== undefined

/** This step started an action on the address that completed or may still complete. */
export const moved = (a: AddressResult): boolean => a.move?.changed === true

async function readAll(client: ApiClient, addrs: readonly Address[]): Promise<AddressResult[]> {
  return Promise.all(
    addrs.map(async (addr): Promise<AddressResult> => {
      try {
        return { addr, read: await mustReadIp(client, addr) }
      } catch (error) {
        return { addr, error: messageOf(error) }
      }
    })
  )
}

/** Why the whole cutover must not start, judged on the first reads; undefined when it may. */
function refusal(plan: CutoverPlan, reads: readonly AddressResult[]): string | undefined {
  const problems: string[] = []
  for (const r of reads) {
    if (r.error !== undefined || !r.read) {
      problems.push(r.error ?? `${r.addr.text} could not be read`)
      continue
    }
    const ip = r.read
    const target = plan.target
    if (target && target.region && ip.region && target.region !== ip.region) {
      problems.push(
        `droplet ${dropletLabel(target.id, target.name)} is in region ${target.region}, but ${ip.ip} is reserved in ${ip.region}: a reserved IP can only be assigned to a droplet in its own region`
      )
    }
    // An IP with an action in progress is judged once that action has finished (in moveIp).
    const there = ip.dropletId === (target ? target.id : null)
    const unexpected = ip.locked || there ? undefined : expectedProblem(ip, plan.expected)
    if (unexpected) problems.push(unexpected)
  }
  return problems.length > 0 ? `${problems.join('; ')}. Nothing was changed.` : undefined
}

async function moveAll(
  client: ApiClient,
  plan: CutoverPlan,
  reads: readonly AddressResult[]
): Promise<AddressResult[]> {
  if (plan.addrs.length > 1) {
    client.log.info(`Moving ${plan.addrs.length} addresses in parallel: ${plan.addrs.map((a) => a.text).join(', ')}`)
    client = ungrouped(client)
  }
  return Promise.all(
    reads.map(async (r): Promise<AddressResult> => {
      try {
        const target = plan.target ? plan.target.id : null
        const req = { addr: r.addr, target, expected: plan.expected, wait: plan.wait, initial: r.read }
        const move = await reportedMove(client, plan, req, r.read)
        return { ...r, move }
      } catch (error) {
        return { ...r, error: messageOf(error) }
      }
    })
  )
}

async function verifyAll(
  client: ApiClient,
  plan: CutoverPlan,
  verify: VerifyInputs,
  addresses: readonly AddressResult[]
): Promise<AddressResult[]> {
  const spec = probeSpec(verify, client, plan.userAgent) // issue 19: with verify_host
  // Addresses whose URLs are the same (no {ip} in verify_url) share one probe.
  const byUrl = new Map<string, Promise<ProbeResult>>()
  for (const a of addresses) {
    const url = probeUrl(verify.urlTemplate, a.addr)
    if (!byUrl.has(url)) byUrl.set(url, probeAndHold(spec, url, verify.forMs)) // issue 19: verify_for
  }
  client.log.info(`Verifying: probing ${[...byUrl.keys()].join(', ')} for up to ${verify.timeoutMs / 1000} s`)
  return Promise.all(
    addresses.map(async (a) => ({ ...a, probe: await byUrl.get(probeUrl(verify.urlTemplate, a.addr)) }))
  )
}

/** Log groups do not nest: moves that run side by side log without them. */
function ungrouped(client: ApiClient): ApiClient {
  const log = client.log
  return client.withLog({
    info: (m) => log.info(m),
    warning: (m) => log.warning(m),
    debug: (m) => log.debug(m)
  })
}

/** Moves every address this step moved back to the droplet that held it before. */
async function rollBack(
  client: ApiClient,
  plan: CutoverPlan,
  addresses: readonly AddressResult[]
): Promise<AddressResult[]> {
  client.log.info(`Rolling back: moving ${addresses.filter(moved).length} address(es) back where they were`)
  if (addresses.filter(moved).length > 1) client = ungrouped(client)
  return Promise.all(addresses.map((a) => (moved(a) ? rollBackOne(client, plan, a) : Promise.resolve(a))))
}

async function rollBackOne(client: ApiClient, plan: CutoverPlan, a: AddressResult): Promise<AddressResult> {
  const move = a.move as MoveOutcome
  try {
    if (move.actionStatus === 'in-progress' && move.actionId !== undefined) {
      // Our own action may still complete: wait for it first (an IPv6 shows no lock while it runs).
      await waitForAction(client, move.actionId, {
        startedAt: Date.now(),
        describe: `the cutover's action on ${a.addr.text}, before moving it back`,
        settled: async () => !(await mustReadIp(client, a.addr)).locked
      })
    }
    const back = await reportedMove(
      client,
      plan,
      { addr: a.addr, target: move.before.dropletId, wait: true },
      move.final
    )
    return back.error ? { ...a, back, backError: back.error } : { ...a, back }
  } catch (error) {
    return { ...a, backError: messageOf(error) }
  }
}

function messageOf(error: unknown): string {
  if (error instanceof OperationError) return error.message.replace(/ Nothing was changed\.$/, '')
  return error instanceof Error ? error.message : String(error)
}
