/**
 * What DigitalOcean refuses part-way through a cutover, judged before anything is sent: a droplet
 * holds one reserved IPv4 at a time, and a reserved IPv6 needs a droplet with IPv6 enabled. (Two IPv4
 * addresses in one assign are bad input: see inputs.ts.) Without this check the first address would
 * move, the second be refused, and the first be moved back.
 *
 * targetFacts reads what the check needs, no more: the reserved IPv4 list (which names each one's
 * droplet; the droplet object does not list them) only when an IPv4 is being moved, and the droplet
 * (its features and networks) only when an IPv6 is being moved and the droplet was given by id.
 */
import type { Address } from '../inputs/address.js'
import type { IpRecord } from '../do/ips.js'
import type { DropletRef } from '../do/droplets.js'
import type { EngineContext } from './step.js'
import { dropletLabel } from '../words.js'

/** An address the cutover will move: not already on the target (or busy, and so judged after its action). */
export interface Moving {
  readonly addr: Address
  readonly read: IpRecord
}

export interface TargetFacts {
  /** The target, with its networks when they were read. */
  readonly target: DropletRef
  /** The reserved IPv4 addresses it holds; undefined when no IPv4 is being moved (not looked up). */
  readonly heldIpv4?: readonly string[]
}

/** Why the cutover cannot go ahead on this droplet, one sentence per address; [] when it can. */
export function cutoverRefusals(facts: TargetFacts, moving: readonly Moving[]): string[] {
  const label = dropletLabel(facts.target.id, facts.target.name)
  const problems: string[] = []
  for (const { addr } of moving) {
    const other = addr.version === 4 ? facts.heldIpv4?.find((ip) => ip !== addr.text) : undefined
    if (other !== undefined) {
      problems.push(
        `droplet ${label} already holds reserved IPv4 ${other}, and a droplet holds one reserved IPv4 at a time, so ${addr.text} cannot be assigned to it: unassign ${other} from it first`
      )
    }
    if (addr.version === 6 && facts.target.networks?.ipv6 === false) {
      problems.push(
        `droplet ${label} does not have IPv6 enabled, so reserved IPv6 ${addr.text} cannot be assigned to it: enable IPv6 on the droplet first (doctl compute droplet-action enable-ipv6 ${facts.target.id})`
      )
    }
  }
  return problems
}

/**
 * Reads what cutoverRefusals needs for these addresses. `needNetworks`: the precheck needs the
 * droplet's addresses. A cutover of several addresses has read its droplet already (for its region),
 * so its networks cost no request; one address reads nothing (DigitalOcean's own refusal stands).
 */
export async function targetFacts(
  ctx: EngineContext,
  target: DropletRef,
  moving: readonly Moving[],
  needNetworks: boolean
): Promise<TargetFacts> {
  const partWay = moving.length > 1
  const readsDroplet = needNetworks || (partWay && moving.some((m) => m.addr.version === 6))
  const [withNets, heldIpv4] = await Promise.all([
    readsDroplet ? ctx.api.droplets.withNetworks(ctx, target, 'Nothing was changed.') : target,
    // Only where DigitalOcean's refusal would come part-way: with one address, its own 422 moves
    // nothing, and listing every reserved IPv4 would cost each cutover a paged read.
    partWay && moving.some((m) => m.addr.version === 4) ? heldBy(ctx, target.id) : undefined
  ])
  return { target: withNets, heldIpv4 }
}

/** The reserved IPv4 addresses on the droplet, from the list of all of them (every page). */
async function heldBy(ctx: EngineContext, dropletId: number): Promise<string[]> {
  const all = await ctx.api.ips.list(ctx, 4)
  return all.filter((ip) => ip.dropletId === dropletId).map((ip) => ip.ip)
}
