/**
 * The invariants of create, delete, prune and rollback, checked on the simulator's record of the
 * case (see docs/performance.md). The letters follow the cutover's (fuzz-invariants.ts) where the
 * rule is the same; j, k and l are rules of these operations alone.
 */
import type { SimRequest } from '../../sim/simulator.js'
import { BODY_FAULTS, type Observation, type Release } from './fuzz-case.js'
import type { OpScenario } from './fuzz-op-scenarios.js'
import {
  allowedHolders,
  answerLost,
  checkCancel,
  checkChanged,
  checkOnce,
  checkReported,
  checkResends,
  checkRollBacks,
  cutShort,
  holderAt,
  isLook,
  name,
  stepActions,
  unclear,
  type Add,
  type Problem
} from './fuzz-invariants.js'

type Seen = Observation<OpScenario>

const LISTING = /^\/v2\/reserved_(ips|ipv6)$/
const ONE_ADDRESS = /^\/v2\/reserved_(ips|ipv6)\/[^/]+$/
/** The reads that find a create's address when its answer was lost: the list, the droplet. */
const FINDS = /^\/v2\/(reserved_(ips|ipv6)|droplets\/\d+)$/

/**
 *  a  what the step reports is what DigitalOcean holds after it: create's `ip` is an address it has,
 *     on the reported droplet; a prune's `ips` are the addresses it released; a roll-back's droplets
 *     as for a cutover
 *  b  no change carried out twice: a create is never sent again once one may have reached
 *     DigitalOcean; a release is re-sent after an unclear answer only once a read showed the address
 *     still reserved and on no droplet; a roll-back's move as a cutover's
 *  c  a roll-back never undoes another workflow's change it has read
 *  d  rolled_back=true: every address of `moves` is on its `from`
 *  e  success: delete, the address is gone; create onto a droplet (waiting), it is there; rollback,
 *     every address is on its `from`
 *  f  changed=false only when nothing took effect (no address reserved, released or moved)
 *  g  every request fits the OpenAPI description
 *  h  nothing starts after cancellation (but reads of an address, within 2 s, and a lost create's
 *     reads that find it); every step returns
 *  i  a roll-back's change is sent at most twice more after a lost answer
 *  j  nothing released while a droplet held it (but when another workflow's change landed between
 *     the step's fresh read and its DELETE unseen), nor an address in keep, nor anything in a dry run
 *     or over max_release
 *  k  a create accepted: `ip` names the new address, changed=true; a create whose answer was lost:
 *     changed=true and the error says an address may have been reserved (or `ip` names it, found)
 *  l  prune: `ips` is a JSON array and `count` its length, on every outcome
 */
export function checkOpInvariants(o: Seen): Problem[] {
  const problems: Problem[] = []
  const add: Add = (invariant, text) => void problems.push({ invariant, text })
  if (o.step.hung) return [{ invariant: 'h', text: `the step had not returned: ${o.step.error}` }]
  const op = o.scenario.op
  checkReleasedHeld(o, add)
  checkReleases(o, add)
  checkNothingChanged(o, add)
  if (op === 'create') checkCreate(o, add)
  if (op === 'delete') checkDeleted(o, add)
  if (op === 'prune') checkPruned(o, add)
  if (op === 'rollback') checkRollback(o, add)
  for (const v of o.violations) add('g', v)
  checkCancel(
    o,
    add,
    (r) => r.method === 'GET' && (ONE_ADDRESS.test(r.path) || (op === 'create' && FINDS.test(r.path)))
  )
  return problems
}

const gone = (o: Seen, ip: string): boolean => !o.ipsAtReturn.some((x) => x.ip === ip)
const released = (o: Seen, ip: string): boolean => o.releases.some((r) => r.ip === ip)
const said = (o: Seen, ip: string): boolean => (o.step.error ?? '').includes(ip)

/** j: a DELETE carried out on an address a droplet held, one in keep, in a dry run, over max_release. */
function checkReleasedHeld(o: Seen, add: Add): void {
  const s = o.scenario
  for (const r of o.releases)
    if (r.holder !== null && !raced(o, r)) add('j', `${r.ip} was released while ${name(o, r.holder)} held it`)
  if (s.op !== 'prune') return
  o.addrs.forEach((a, i) => {
    if (s.addrs[i]!.keep && released(o, a.ip)) add('j', `${a.ip} was released, but keep names it`)
  })
  if (s.dryRun && o.releases.length > 0) add('j', `a dry run released ${o.releases.map((r) => r.ip).join(', ')}`)
  // Free from start to end and not kept: a candidate whatever the listing saw.
  const surely = o.addrs.filter(
    (a, i) => a.initial === null && !s.addrs[i]!.keep && !o.changes.some((c) => c.ip === a.ip)
  )
  if (s.maxRelease !== undefined && surely.length > s.maxRelease && o.releases.length > 0)
    add('j', `${surely.length} candidates over max_release ${s.maxRelease}, yet ${o.releases.length} released`)
}

/**
 * The release was sent on a fresh read that showed the address free and unlocked (no DELETE of it
 * between them), and another workflow's change that the read could not show landed in between: a
 * race no client can close, not the step's doing. A reserved IPv6 shows no lock, so an assign under
 * way at that read is invisible; an IPv4's would show as a lock and is not excused.
 */
function raced(o: Seen, release: Release): boolean {
  const i = o.addrs.findIndex((a) => a.ip === release.ip)
  const a = o.addrs[i]
  if (!a) return false
  const before = o.requests.filter((r) => r.seq !== undefined && r.seq < release.seq)
  const lastDelete = before.filter((r) => r.method === 'DELETE' && r.path === a.base).pop()
  const read = before.filter((r) => isLook(o, r, a) && r.seq! > (lastDelete?.seq ?? -1)).pop()
  if (!read || holderAt(o, i, read.seq!) !== null) return false
  const busy = o.actions.some(
    (x) => x.ip === a.ip && x.startedAt <= read.at && (x.completedAt === null || x.completedAt > read.at)
  )
  return a.version === 6 || !busy
}

/** b: a release re-sent after an unclear answer with no read between them showing it reserved and free. */
function checkReleases(o: Seen, add: Add): void {
  o.addrs.forEach((a, i) => {
    const deletes = o.requests.filter((r) => r.method === 'DELETE' && r.path === a.base)
    deletes.slice(1).forEach((again, k) => {
      const before = deletes[k]!
      if (!unclear(before) && !cutShort(o, o.requests.indexOf(before))) return
      // A read answered before the DELETE that follows it reached the step (the step sends one
      // request of an address at a time), even when a cancellation came a moment after its answer.
      const answered = (r: SimRequest): boolean =>
        r.method === 'GET' && r.path === a.base && r.status === 200 && !(r.injected && BODY_FAULTS.has(r.injected))
      const readFree = o.requests.some(
        (r) => answered(r) && r.seq! > before.seq! && r.seq! < again.seq! && holderAt(o, i, r.seq!) === null
      )
      if (!readFree)
        add(
          'b',
          `${a.ip}: DELETE sent again after an unclear answer (${answerOf(before)}) with no read showing it free`
        )
    })
  })
}

const answerOf = (r: SimRequest): string => `${r.status || 'no answer'}${r.injected ? ` ${r.injected}` : ''}`

/** f: changed=false, yet an address was reserved, released or moved by the step. */
function checkNothingChanged(o: Seen, add: Add): void {
  if (o.step.outputs.changed !== 'false') return
  const made = created(o)
  if (made.length > 0) add('f', `changed=false, but the step reserved ${made.map((x) => x.ip).join(', ')}`)
  if (o.releases.length > 0) add('f', `changed=false, but the step released ${o.releases.map((r) => r.ip).join(', ')}`)
  if (o.scenario.op === 'rollback') checkChanged(o, add)
}

/** The addresses DigitalOcean has that the scenario did not start with: the step's creates. */
const created = (o: Seen) => o.ipsAtReturn.filter((x) => !o.addrs.some((a) => a.ip === x.ip))
const createPosts = (o: Seen): number[] =>
  o.requests.flatMap((r, k) => (r.method === 'POST' && LISTING.test(r.path) ? [k] : []))
/** A create that may have reached DigitalOcean: answered 2xx or 5xx, or not answered at all. */
const mayHaveReached = (r: SimRequest): boolean => r.status === 0 || r.status >= 500 || r.status < 300

/**
 * The create request k was accepted and its answer read: 2xx, a whole body, not cut short by the
 * cancellation, and the step names the new address somewhere (log, error, outputs). On the fuzz's
 * fast clock a request's time limit is a fraction of a real second, so an answer sent in time can
 * still reach the client after it gave up; the simulator records it as answered.
 */
function heard(o: Seen, k: number, ip: string | undefined): boolean {
  const r = o.requests[k]!
  if (r.status < 200 || r.status >= 300 || (r.injected && BODY_FAULTS.has(r.injected)) || answerLost(o, k)) return false
  const said = [...o.step.logs, o.step.error ?? '', JSON.stringify(o.step.outputs)].join('\n')
  return ip !== undefined && said.includes(ip)
}

function checkCreate(o: Seen, add: Add): void {
  const out = o.step.outputs
  const posts = createPosts(o)
  const first = posts.findIndex((k) => mayHaveReached(o.requests[k]!))
  if (first >= 0 && posts.length > first + 1)
    add('b', `a create was sent ${posts.length - first - 1} more time(s) after one may have reached DigitalOcean`)
  const made = created(o)[0]
  const readable = posts.some((k) => heard(o, k, made?.ip))
  if (readable && (out.ip !== made?.ip || out.changed !== 'true'))
    add('k', `a create was accepted (${made?.ip}), but the outputs say ip='${out.ip}', changed=${out.changed}`)
  if (!readable && posts.some((k) => mayHaveReached(o.requests[k]!))) {
    // Or it found the address (a read of the list or the droplet) and names it.
    const told = /may have been reserved/i.test(o.step.error ?? '') || (made !== undefined && out.ip === made.ip)
    if (out.changed !== 'true' || !told)
      add('k', `a create's answer was lost, but changed=${out.changed} and the error is: ${o.step.error ?? '(none)'}`)
  }
  if (out.ip !== '' && !made) add('a', `ip=${out.ip}, which DigitalOcean does not have`)
  if (!made || out.ip !== made.ip) return
  const now = made.dropletId
  // An action still under way (wait: false) may land after the read the step reports from.
  const settled = out.action_status !== 'in-progress' && !(o.step.error ?? '').includes('unknown state')
  if (settled && (out.droplet_id !== '' || o.step.error === undefined) && out.droplet_id !== String(now ?? ''))
    add('a', `${made.ip}: reported on droplet '${out.droplet_id}', but DigitalOcean has it on ${name(o, now)}`)
  const s = o.scenario
  if (o.step.error === undefined && s.onDroplet && s.wait && now !== o.ids.green)
    add('e', `the step succeeded, but ${made.ip} is on ${name(o, now)}, not on green`)
}

function checkDeleted(o: Seen, add: Add): void {
  const a = o.addrs[0]!
  if (o.step.error === undefined && !gone(o, a.ip)) add('e', `the delete succeeded, but ${a.ip} is still reserved`)
}

function checkPruned(o: Seen, add: Add): void {
  const out = o.step.outputs
  let listed: { ip: string }[] | undefined
  try {
    listed = JSON.parse(out.ips)
  } catch {
    listed = undefined
  }
  if (!Array.isArray(listed) || out.count !== String(listed.length)) {
    add('l', `ips='${out.ips}', count='${out.count}': not a JSON array and its length`)
    return
  }
  if (o.scenario.dryRun) return
  for (const e of listed) if (!gone(o, e.ip)) add('a', `ips lists ${e.ip}, which DigitalOcean still has`)
  for (const r of o.releases)
    if (!listed.some((e) => e.ip === r.ip) && !said(o, r.ip)) add('a', `${r.ip} was released, but ips does not list it`)
}

function checkRollback(o: Seen, add: Add): void {
  const s = o.scenario
  const from = (i: number) => o.ids[s.addrs[i]!.from]
  o.addrs.forEach((a, i) => {
    checkReported(o, i, add)
    checkOnce(o, i, add)
    checkRollBacks(o, i, add, stepActions(o, i), o.ids[s.addrs[i]!.to])
    checkResends(o, i, add)
    // As for a cutover: or where its last read saw it, when since then only another workflow moved it.
    if (o.step.outputs.rolled_back === 'true' && !allowedHolders(o, i, o.eventually[i]!).has(from(i)))
      add('d', `rolled_back=true, but ${a.ip} is on ${name(o, o.eventually[i])}, not on ${name(o, from(i))}`)
    if (o.step.error === undefined && !allowedHolders(o, i, o.atReturn[i]!).has(from(i)))
      add('e', `the roll-back succeeded, but ${a.ip} is on ${name(o, o.atReturn[i])}, not on ${name(o, from(i))}`)
  })
}
