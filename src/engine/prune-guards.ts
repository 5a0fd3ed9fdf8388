/**
 * prune's guards, as pure functions: which unassigned addresses are spared, and why. A release
 * cannot be undone, so where a guard cannot tell, it spares.
 *
 * - keep: the addresses listed in the input.
 * - keep_dns: every address that an A or AAAA record of the account points at.
 * - unassigned_for: only addresses idle at least that long. IPv4: since the latest finished action
 *   on it; IPv6: since reserved_at (DigitalOcean records no unassign time for IPv6).
 * - max_release: more candidates than that after every spare, and none is released.
 */
import type { AddressRecord } from '../do/dns.js'
import type { ActionHistory, PastAction } from '../do/actions.js'
import { recordLabel } from '../do/dns.js'
import { durationText } from '../words.js'

/** Why an address that is assigned to no droplet is not released. */
export type Spare =
  | { readonly kind: 'keep' }
  | { readonly kind: 'dns'; readonly records: readonly string[] }
  | { readonly kind: 'idle-short'; readonly idleMs: number; readonly minMs: number }
  | { readonly kind: 'idle-unknown'; readonly why: string }
  | { readonly kind: 'busy'; readonly why: string }
  | { readonly kind: 'assigned'; readonly dropletId: number }
  | { readonly kind: 'gone' }

/** How long an address has been idle, as far as DigitalOcean's records tell. */
export type Idle =
  | { readonly known: true; readonly since: number; readonly evidence: string }
  | { readonly known: false; readonly busy: boolean; readonly why: string }

/** Canonical address -> the names of the A and AAAA records that point at it. */
export type DnsIndex = ReadonlyMap<string, readonly string[]>

export function dnsIndex(records: readonly AddressRecord[]): DnsIndex {
  const index = new Map<string, string[]>()
  for (const r of records) {
    const names = index.get(r.address) ?? []
    const label = recordLabel(r)
    if (!names.includes(label)) names.push(label)
    index.set(r.address, names)
  }
  return index
}

/** keep, then keep_dns: the spare of an address by name (undefined: neither guard spares it). */
export function spareByName(ip: string, keep: ReadonlySet<string>, dns: DnsIndex | undefined): Spare | undefined {
  if (keep.has(ip)) return { kind: 'keep' }
  const records = dns?.get(ip)
  return records && records.length > 0 ? { kind: 'dns', records } : undefined
}

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

/** Ids grow with time: a page whose ids fall from first to last lists the newest first. */
function newestFirst(actions: readonly PastAction[]): boolean {
  return actions.every((a, i) => i === 0 || a.id < actions[i - 1].id)
}

const isAssign = (a: PastAction): boolean => a.type === 'assign_ip' || a.type === 'assign'

const latestOf = (actions: readonly PastAction[]): PastAction | undefined =>
  actions.reduce<PastAction | undefined>(
    (a, b) => (a === undefined || (b.completedAt as number) > (a.completedAt as number) ? b : a),
    undefined
  )

/**
 * IPv4: idle since its latest completed action; an errored action after it counts as someone at
 * work on the address, so idle counts from that one. Unknown, and so spared, when:
 *  - no completed action is on record;
 *  - the list has more pages and this one does not list the newest first (the description gives the
 *    list no paging parameters, so a later page cannot be asked for);
 *  - the latest completed action is an assign: the address is unassigned now, but when is not on
 *    record (its droplet was destroyed, for instance), so it may have been idle for a moment only.
 * An action in progress makes it busy.
 */
export function idleFromHistory(history: ActionHistory): Idle {
  const { actions } = history
  if (actions.some((a) => a.status === 'in-progress')) {
    return { known: false, busy: true, why: 'an action is in progress on it' }
  }
  const finished = actions.filter((a) => a.completedAt !== undefined)
  const completed = latestOf(finished.filter((a) => a.status === 'completed'))
  if (completed === undefined) {
    const why = actions.length === 0 ? 'no action on record' : 'no completed action on record'
    return { known: false, busy: false, why }
  }
  if (history.more && !newestFirst(actions)) {
    const count = history.total === undefined ? 'its actions fill' : `its ${history.total} actions fill`
    return { known: false, busy: false, why: `${count} several pages, and the first does not list the newest` }
  }
  if (isAssign(completed)) {
    const at = isoSeconds(completed.completedAt as number)
    return {
      known: false,
      busy: false,
      why: `its latest action is an assign (${at}); when it was unassigned is not on record`
    }
  }
  const latest = latestOf(finished) as PastAction
  return {
    known: true,
    since: latest.completedAt as number,
    evidence: `${latest.type || 'action'} ${latest.status} ${isoSeconds(latest.completedAt as number)}`
  }
}

/** IPv6: DigitalOcean records no unassign time, so idle counts from reserved_at. */
export function idleFromReservedAt(reservedAt: number | undefined): Idle {
  if (reservedAt === undefined) return { known: false, busy: false, why: 'no reserved_at on record' }
  return { known: true, since: reservedAt, evidence: `reserved_at ${isoSeconds(reservedAt)}` }
}

/** unassigned_for: the spare of an address by its idle time (undefined: idle long enough). */
export function spareByIdle(idle: Idle, minMs: number, now: number): Spare | undefined {
  if (!idle.known) return idle.busy ? { kind: 'busy', why: idle.why } : { kind: 'idle-unknown', why: idle.why }
  const idleMs = Math.max(0, now - idle.since)
  return idleMs >= minMs ? undefined : { kind: 'idle-short', idleMs, minMs }
}

/** max_release: true when releasing this many would be too many. */
export function overMaxRelease(candidates: number, maxRelease: number): boolean {
  return candidates > maxRelease
}

/** The reason a spare gives in the summary and the log. */
export function spareText(spare: Spare): string {
  switch (spare.kind) {
    case 'keep':
      return 'listed in keep'
    case 'dns':
      return `DNS record ${spare.records.join(', ')}`
    case 'idle-short':
      return `idle too short: ${durationText(spare.idleMs)}, less than unassigned_for (${durationText(spare.minMs)})`
    case 'idle-unknown':
      return `idle since an unknown time: ${spare.why}`
    case 'busy':
      return `busy: ${spare.why}`
    case 'assigned':
      return `assigned to droplet ${spare.dropletId} meanwhile`
    case 'gone':
      return 'already released by someone else'
  }
}
