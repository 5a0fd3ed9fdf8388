/**
 * The links of the step summary: the workflow run, and the pages of DigitalOcean's control panel
 * for reserved addresses and for a droplet. The control panel has one page for every reserved
 * address of the account (IPv4 and IPv6), and one page per droplet.
 */

/** DigitalOcean's control panel. */
export const CONTROL_PANEL = 'https://cloud.digitalocean.com'

export interface SummaryLinks {
  /** The workflow run the step belongs to; no link to it without. */
  readonly runUrl?: string
  /** The control panel's base URL; no link to it without (a run against the simulator). */
  readonly controlPanel?: string
}

/** The control panel's page that lists the reserved addresses. */
export function reservedIpsPage(panel: string): string {
  return `${panel}/networking/reserved_ips`
}

/** The control panel's page of one droplet. */
export function dropletPage(panel: string, dropletId: number): string {
  return `${panel}/droplets/${dropletId}`
}

/** What the run link is made of: `@actions/github`'s context, as plain values. */
export interface RunContext {
  readonly serverUrl: string
  readonly repository: string
  readonly runId: number
  readonly runAttempt?: number
}

/**
 * The workflow run's URL (its attempt, when it is not the first), or undefined when the context is
 * not a run's (no repository, no run id): a run outside GitHub Actions has no page to link to.
 */
export function runUrl(run: RunContext): string | undefined {
  if (!/^[\w.-]+\/[\w.-]+$/.test(run.repository) || !Number.isSafeInteger(run.runId) || run.runId <= 0) return undefined
  if (!/^https?:\/\/[^\s()<>]+$/.test(run.serverUrl)) return undefined
  const attempt = run.runAttempt !== undefined && run.runAttempt > 1 ? `/attempts/${run.runAttempt}` : ''
  return `${run.serverUrl.replace(/\/+$/, '')}/${run.repository}/actions/runs/${run.runId}${attempt}`
}
