/** What an operation hands back to main.ts: outputs, the step summary, and whether the step fails. */
import { secs } from '../words.js'
import type { IpRecord } from '../do/ips.js'
import type { Cell } from './cells.js'

export const OUTPUT_NAMES = [
  'ip',
  'ip_version',
  'droplet_id',
  'previous_droplet_id',
  'region',
  'action_id',
  'action_status',
  'changed',
  'ips',
  'count',
  'json',
  'verified',
  'rolled_back',
  'moves'
] as const
type OutputName = (typeof OUTPUT_NAMES)[number]
export type Outputs = Record<OutputName, string>

export interface SummaryTable {
  readonly caption?: string
  readonly header: readonly string[]
  readonly rows: readonly (readonly Cell[])[]
}

export interface Summary {
  readonly title: string
  readonly tables: readonly SummaryTable[]
  readonly notes: readonly string[]
}

export interface OperationResult {
  readonly outputs: Outputs
  readonly summary: Summary
  /** When set, the step fails with this message after the outputs are set. */
  readonly error?: string
}

/** The operations whose moves output is a JSON array on every outcome. */
export const MOVING: ReadonlySet<string> = new Set(['assign', 'unassign', 'rollback'])

export function emptyOutputs(): Outputs {
  const out = {} as Outputs
  for (const name of OUTPUT_NAMES) out[name] = ''
  out.changed = 'false'
  out.rolled_back = 'false'
  return out
}

/** The outputs that describe one IP. */
export function ipOutputs(record: IpRecord): Partial<Outputs> {
  return {
    ip: record.ip,
    ip_version: String(record.version),
    droplet_id: record.dropletId === null ? '' : String(record.dropletId),
    region: record.region,
    json: record.raw === null ? '' : JSON.stringify(record.raw)
  }
}

/** One entry of the `ips` output. */
export interface IpListEntry {
  readonly ip: string
  readonly ip_version: 4 | 6
  readonly region: string
  readonly droplet_id: number | null
}

export function listEntry(record: IpRecord): IpListEntry {
  return { ip: record.ip, ip_version: record.version, region: record.region, droplet_id: record.dropletId }
}

/**
 * The result of a step that failed before it changed anything (bad input, a refusal, an API error):
 * every output is still set, and the summary says what went wrong.
 */
/** The note of how long the step took, from its start to its end on the step's clock. */
export const timeTaken = (r: { readonly startedAt: number; readonly finishedAt: number }): string =>
  `Time taken: ${secs(r.finishedAt - r.startedAt)}.`

export function failureResult(
  operation: string,
  message: string,
  ips: readonly string[] = [],
  nothingSent = false
): OperationResult {
  const outputs = emptyOutputs()
  if (ips.length > 0) {
    outputs.ip = ips[0]
    outputs.ip_version = ips[0].includes(':') ? '6' : '4'
  }
  if (MOVING.has(operation)) outputs.moves = '[]'
  // prune's ips and count are what was released: [] and 0 when nothing was.
  if (operation === 'prune') Object.assign(outputs, { ips: '[]', count: '0' })
  return {
    outputs,
    error: message,
    summary: {
      title: `Reserved IP ${operation || 'step'} failed${ips.length ? `: ${ips.join(', ')}` : ''}`,
      tables: [],
      notes: [
        `**Failed:** ${message}`,
        ...(nothingSent ? ['Nothing was changed: no request that changes anything was sent.'] : [])
      ]
    }
  }
}

/** A cancelled step's message as the summary's note: "**Cancelled** (SIGTERM); …", the word said once. */
export const cancelledNote = (error: string): string =>
  /^Cancelled\b/.test(error) ? error.replace(/^Cancelled/, '**Cancelled**') : `**Cancelled:** ${error}`
