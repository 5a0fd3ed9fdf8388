/**
 * prune's engine: list the reserved IPs, keep those assigned to no droplet (within region and
 * ip_version), spare what the guards spare (keep, keep_dns, unassigned_for), refuse when more than
 * max_release would go, then release the rest, each read again just before: one at a time until a
 * release has been answered (a token that may not release is refused once, not once per worker),
 * then a few at a time.
 *
 * A failure with the same cause on several addresses is said once: its first log line at info, the
 * same line for another address at debug (the step's error groups them, report/prune-report.ts).
 *
 * Everything it learns goes into a PruneProgress, one entry per address considered, as it happens:
 * the caller can report it at any moment (a cancelled or timed-out step reports the addresses
 * released so far and those not tried) with report/prune-report.ts. stopPrune() makes it start
 * nothing more.
 */
import { messageOf } from './outcome.js'
import type { Address, IpVersion } from '../inputs/address.js'
import type { Logger } from '../logger.js'
import { reservedAtOf, type IpRecord } from '../do/ips.js'
import { ApiError, timeoutRanOut } from '../transport/http.js'
import {
  dnsIndex,
  idleFromHistory,
  idleFromReservedAt,
  overMaxRelease,
  spareByIdle,
  spareByName,
  spareText,
  type DnsIndex,
  type Idle,
  type Spare
} from './prune-guards.js'
import { releaseIp, type ReleaseOutcome } from './release.js'
import type { EngineContext } from './step.js'

export interface PruneSettings {
  readonly ipVersion?: IpVersion
  readonly region?: string
  readonly keep: readonly Address[]
  readonly keepDns: boolean
  /** Release only addresses idle at least this long; undefined: no such guard. */
  readonly unassignedForMs?: number
  readonly maxRelease: number
  readonly dryRun: boolean
}

/** Where one address considered stands. */
type EntryState =
  /** Not judged or not tried yet: reported as not tried when the run ends or stops here. */
  | { readonly kind: 'pending' }
  /** The release was sent and its answer has not come yet. */
  | { readonly kind: 'releasing' }
  | { readonly kind: 'released' }
  | { readonly kind: 'would-release' }
  | { readonly kind: 'spared'; readonly spare: Spare; readonly reason: string }
  | { readonly kind: 'failed'; readonly error: string }
  /** The release may or may not have gone through: its answer was lost and the IP could not be read. */
  | { readonly kind: 'unknown'; readonly error: string }
  | { readonly kind: 'not-tried'; readonly why: string }

export interface PruneEntry {
  /** The IP as listed, or as read again just before its release. */
  record: IpRecord
  state: EntryState
  /** With unassigned_for: what DigitalOcean's records say of its idle time, and that time when known. */
  idle?: Idle
  idleMs?: number
}

type PrunePhase = 'listing' | 'guards' | 'releasing' | 'done'

/** The accumulating record of a prune: read it at any moment; only runPrune and stopPrune change it. */
export interface PruneProgress {
  readonly settings: PruneSettings
  phase: PrunePhase
  /** Addresses in scope that are assigned to a droplet: never considered. */
  assigned: number
  /** One per address in scope that is assigned to no droplet, in the order listed. */
  readonly entries: PruneEntry[]
  /** Why the run stopped starting anything new (token refused, timeout, DNS unreadable, cancelled). */
  stopped?: string
  /** What fails the step beyond the entries' own failures (DNS unreadable, max_release). */
  error?: string
  /** What a dry run warns of (more than max_release would go). */
  readonly warnings: string[]
}

/** Requests at a time: history reads, and releases. */
const CONCURRENCY = 4

export function newPruneProgress(settings: PruneSettings): PruneProgress {
  return { settings, phase: 'listing', assigned: 0, entries: [], warnings: [] }
}

/** From now on, nothing more is started: no history read, no re-read, no release. */
export function stopPrune(progress: PruneProgress, reason: string): void {
  progress.stopped ??= reason
}

/** Whether to start nothing more: stopped, or the step's timeout has run out (which stops it). */
function stopping(ctx: EngineContext, progress: PruneProgress): boolean {
  if (progress.stopped === undefined && ctx.clock.now() >= ctx.deadline)
    stopPrune(progress, `${timeoutRanOut(ctx.timeoutMs)}`)
  return progress.stopped !== undefined
}

/** Runs the prune to its end (or until stopped), filling `progress`; idle time is judged on the context's clock. */
export async function runPrune(ctx: EngineContext, progress: PruneProgress): Promise<PruneProgress> {
  const [records, dns] = await listAndReadDns(ctx, progress.settings)
  consider(progress, records)
  ctx.log.info(
    `${records.length} reserved IPs in scope, ${progress.entries.length} assigned to no droplet${progress.settings.dryRun ? ' (dry run)' : ''}`
  )
  if (dns.ok) await guardAndRelease(ctx, progress, dns.index, () => ctx.clock.now())
  else refuseWithoutDns(progress, dns.error)
  markNotTried(progress)
  progress.phase = 'done'
  return progress
}

/** The guards, then max_release, then the releases (or, in a dry run, what would go). */
async function guardAndRelease(
  ctx: EngineContext,
  progress: PruneProgress,
  dns: DnsIndex | undefined,
  now: () => number
): Promise<void> {
  const { settings } = progress
  progress.phase = 'guards'
  spareByNames(ctx, progress, dns)
  if (settings.unassignedForMs !== undefined) await spareByIdleTime(ctx, progress, settings.unassignedForMs, now)
  if (stopping(ctx, progress)) return
  const candidates = pendingEntries(progress)
  if (overMaxRelease(candidates.length, settings.maxRelease)) return holdBackAll(ctx, progress, candidates)
  if (settings.dryRun) {
    for (const e of candidates) markWouldRelease(ctx, e)
    return
  }
  progress.phase = 'releasing'
  ctx.log.info(`${candidates.length} to release`)
  const logOf = onceEachCause(ctx.log)
  const rest = await releaseOneByOne(ctx, progress, candidates, logOf)
  const release = async (e: PruneEntry): Promise<void> => void (await releaseEntry(ctx, progress, e, logOf))
  await eachLimited(rest, () => stopping(ctx, progress), release)
}

/** The log of one address's failures: a line said before for another address (the same cause) goes to debug. */
type LogOf = (entry: PruneEntry) => Logger

function onceEachCause(log: Logger): LogOf {
  const said = new Set<string>()
  const once =
    (ip: string, say: (m: string) => void) =>
    (m: string): void => {
      const cause = m.split(ip).join('{ip}')
      if (said.has(cause)) return log.debug(m)
      said.add(cause)
      say(m)
    }
  return ({ record: { ip } }) => ({
    info: once(ip, (m) => log.info(m)),
    warning: once(ip, (m) => log.warning(m)),
    debug: (m) => log.debug(m)
  })
}

/**
 * Releases the candidates one at a time until a release was sent and answered, so that a token
 * refused (401, or 403 for want of reserved_ip:delete) is refused once; returns the rest.
 */
async function releaseOneByOne(
  ctx: EngineContext,
  progress: PruneProgress,
  candidates: readonly PruneEntry[],
  logOf: LogOf
): Promise<PruneEntry[]> {
  for (const [i, entry] of candidates.entries()) {
    if (stopping(ctx, progress)) break
    if (await releaseEntry(ctx, progress, entry, logOf)) return candidates.slice(i + 1)
  }
  return []
}

type DnsRead =
  { readonly ok: true; readonly index: DnsIndex | undefined } | { readonly ok: false; readonly error: unknown }

/** The IPs in scope and, with keep_dns, the account's A and AAAA records, read side by side. */
async function listAndReadDns(ctx: EngineContext, settings: PruneSettings): Promise<[IpRecord[], DnsRead]> {
  const families: IpVersion[] = settings.ipVersion ? [settings.ipVersion] : [4, 6]
  const [listed, dns] = await Promise.allSettled([
    Promise.all(families.map((v) => ctx.api.ips.list(ctx, v))),
    settings.keepDns ? ctx.api.dns.addressRecords(ctx) : Promise.resolve(undefined)
  ])
  // Nothing was sent that changes anything: a failed listing fails the step as it is.
  if (listed.status === 'rejected') throw listed.reason
  const records = listed.value.flat().filter((r) => !settings.region || r.region === settings.region)
  if (dns.status === 'rejected') return [records, { ok: false, error: dns.reason }]
  if (dns.value) ctx.log.info(`DNS: ${dns.value.length} A and AAAA records read`)
  return [records, { ok: true, index: dns.value && dnsIndex(dns.value) }]
}

function consider(progress: PruneProgress, records: readonly IpRecord[]): void {
  for (const record of records) {
    if (record.dropletId !== null) progress.assigned++
    else progress.entries.push({ record, state: { kind: 'pending' } })
  }
}

/** keep_dns could not read DNS: nothing is released, and the step fails saying why. */
function refuseWithoutDns(progress: PruneProgress, error: unknown): void {
  const scope =
    error instanceof ApiError && (error.status === 401 || error.status === 403)
      ? ' keep_dns needs a token with the domain:read scope.'
      : ''
  const cause = messageOf(error).replace(/\.+$/, '')
  progress.error = `keep_dns: the DNS records could not be read, so nothing was released: ${cause}.${scope}`
  stopPrune(progress, 'the DNS records could not be read (keep_dns)')
  // The step fails with this message: said once, as its error, not as a log line too.
}

function spare(ctx: EngineContext, entry: PruneEntry, why: Spare): void {
  entry.state = { kind: 'spared', spare: why, reason: spareText(why) }
  ctx.log.info(`Spared ${entry.record.ip}: ${entry.state.reason}`)
}

function spareByNames(ctx: EngineContext, progress: PruneProgress, dns: DnsIndex | undefined): void {
  const keep = new Set(progress.settings.keep.map((a) => a.text))
  for (const entry of progress.entries) {
    const why = spareByName(entry.record.ip, keep, dns)
    if (why) spare(ctx, entry, why)
  }
}

const pendingEntries = (progress: PruneProgress): PruneEntry[] =>
  progress.entries.filter((e) => e.state.kind === 'pending')

/** unassigned_for: reads the action history of each IPv4 still in the running (IPv6: reserved_at). */
async function spareByIdleTime(
  ctx: EngineContext,
  progress: PruneProgress,
  minMs: number,
  now: () => number
): Promise<void> {
  const logOf = onceEachCause(ctx.log)
  const judge = async (entry: PruneEntry): Promise<void> => {
    try {
      const { record } = entry
      entry.idle =
        record.version === 6
          ? idleFromReservedAt(reservedAtOf(record))
          : idleFromHistory(await ctx.api.actions.history(ctx, { text: record.ip, version: 4 }))
      if (entry.idle.known) entry.idleMs = Math.max(0, now() - entry.idle.since)
      const why = spareByIdle(entry.idle, minMs, now())
      if (why) spare(ctx, entry, why)
    } catch (error) {
      // Released by someone else since it was listed: nothing to do.
      if (error instanceof ApiError && error.status === 404) spare(ctx, entry, { kind: 'gone' })
      else if (!stopOn(ctx, progress, error))
        fail(logOf(entry), entry, `its actions could not be read: ${messageOf(error)}`)
    }
  }
  await eachLimited(pendingEntries(progress), () => stopping(ctx, progress), judge)
}

/** max_release: more would go than allowed, so none does (a dry run lists them and warns). */
function holdBackAll(ctx: EngineContext, progress: PruneProgress, candidates: readonly PruneEntry[]): void {
  const { maxRelease, dryRun } = progress.settings
  const list = candidates.map((e) => e.record.ip).join(', ')
  const text = `${candidates.length} addresses would be released, more than max_release (${maxRelease})`
  if (dryRun) {
    progress.warnings.push(`${text}: a run without dry_run would release none of them and fail: ${list}`)
    ctx.log.warning(progress.warnings[progress.warnings.length - 1])
    for (const e of candidates) markWouldRelease(ctx, e)
    return
  }
  // The step fails with this message: said once, as its error, not as a log line too.
  progress.error = `${text}, so none was released: ${list}. Check region, ip_version, keep and the token's account, or raise max_release.`
  for (const e of candidates) e.state = { kind: 'not-tried', why: `more than max_release (${maxRelease}) would go` }
}

function markWouldRelease(ctx: EngineContext, entry: PruneEntry): void {
  entry.state = { kind: 'would-release' }
  ctx.log.info(`Would release ${entry.record.ip} (IPv${entry.record.version}, ${entry.record.region})`)
}

function markNotTried(progress: PruneProgress): void {
  const why = progress.stopped ?? 'not reached'
  for (const e of pendingEntries(progress)) e.state = { kind: 'not-tried', why }
}

/** Runs `fn` over the items, CONCURRENCY at a time, starting none once `stopped()` says so. */
async function eachLimited<T>(
  items: readonly T[],
  stopped: () => boolean,
  fn: (item: T) => Promise<void>
): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length && !stopped()) await fn(items[next++])
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker))
}

/**
 * Stops the run after a failure that means nothing more can go well: the token refused, or the
 * time run out. Returns whether it did (the entry then stays pending: it is reported not tried).
 */
function stopOn(ctx: EngineContext, progress: PruneProgress, error: unknown): boolean {
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    stopPrune(progress, `the token was refused: ${error.message}`)
    return true
  }
  return stopping(ctx, progress)
}

function fail(log: Logger, entry: PruneEntry, text: string): void {
  entry.state = { kind: 'failed', error: text }
  log.info(`Could not release ${entry.record.ip}: ${text}`)
}

/**
 * Re-reads the IP and releases it while it is free (release.ts); every path ends in the entry's
 * state. Returns whether a release was sent.
 */
async function releaseEntry(
  ctx: EngineContext,
  progress: PruneProgress,
  entry: PruneEntry,
  logOf: LogOf
): Promise<boolean> {
  const addr: Address = { text: entry.record.ip, version: entry.record.version }
  const log = logOf(entry)
  let sent = false
  const outcome = await releaseIp(
    { ...ctx, log },
    {
      addr,
      waitWhileBusy: false,
      beforeDelete: () => !stopping(ctx, progress),
      // On the record before it is sent: a step stopped now reports it as possibly released.
      sending: () => {
        sent = true
        entry.state = { kind: 'releasing' }
      }
    }
  )
  settle(ctx, progress, entry, outcome, log)
  return sent
}

/** Where the release left the entry; `log` says its failures (once each cause). */
function settle(
  ctx: EngineContext,
  progress: PruneProgress,
  entry: PruneEntry,
  outcome: ReleaseOutcome,
  log: Logger
): void {
  if ('record' in outcome && outcome.record) entry.record = outcome.record
  switch (outcome.kind) {
    case 'released':
      entry.state = { kind: 'released' }
      ctx.log.info(`Released ${entry.record.ip} (IPv${entry.record.version}, ${entry.record.region})`)
      return
    case 'gone':
      return spare(ctx, entry, { kind: 'gone' })
    case 'assigned':
      return spare(ctx, entry, { kind: 'assigned', dropletId: outcome.record.dropletId as number })
    case 'busy':
      return spare(ctx, entry, { kind: 'busy', why: outcome.reason })
    case 'stopped':
      entry.state = { kind: 'pending' }
      return
    case 'unknown':
      entry.state = { kind: 'unknown', error: outcome.error }
      log.warning(`Could not release ${entry.record.ip}: ${outcome.error}`)
      return
    case 'failed':
      return settleFailed(ctx, progress, entry, outcome, log)
  }
}

/**
 * A refused token (401, or 403: a scope it lacks) stops the run, as does the time run out: an address
 * with nothing sent is then not tried. A release refused so is failed, and the stop names it: the
 * refusal's words are said once, in its row.
 */
function settleFailed(
  ctx: EngineContext,
  progress: PruneProgress,
  entry: PruneEntry,
  failed: { error: string; sent: boolean; status?: number },
  log: Logger
): void {
  const refused = failed.status === 401 || failed.status === 403
  if (refused && failed.sent) {
    fail(log, entry, failed.error)
    return stopPrune(progress, `the token was refused (HTTP ${failed.status}) at the release of ${entry.record.ip}`)
  }
  if (refused) stopPrune(progress, `the token was refused: ${failed.error}`)
  if (stopping(ctx, progress) && !failed.sent) entry.state = { kind: 'pending' }
  else fail(log, entry, failed.error)
}
