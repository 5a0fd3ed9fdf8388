/**
 * prune: releases the reserved IPs that are assigned to no droplet (within region/ip_version,
 * minus keep). Each is read again just before it is released and spared if it was assigned or
 * became busy meanwhile, so a deploy running at the same time never loses its address.
 */
import { ApiError, GaveUpError, TransportError } from '../transport/http.js'
import type { IpRecord } from '../do/ips.js'
import { emptyOutputs, listEntry, type IpListEntry, type OperationResult } from '../report/result.js'
import { releaseIfFree } from './delete.js'
import { listFiltered } from './list.js'
import type { OperationContext } from './context.js'

interface Spared {
  readonly record: IpRecord
  readonly reason: string
}

const CONCURRENCY = 4

export async function prune(ctx: OperationContext): Promise<OperationResult> {
  const { client, inputs } = ctx
  const records = await listFiltered(client, inputs.ipVersion, inputs.region)
  const keep = new Set(inputs.keep.map((a) => a.text))
  const spared: Spared[] = []
  const candidates: IpRecord[] = []
  for (const r of records) {
    if (r.dropletId !== null) continue
    if (keep.has(r.ip)) spared.push({ record: r, reason: 'listed in keep' })
    else candidates.push(r)
  }
  const released: IpListEntry[] = []
  const failed: Spared[] = []
  client.log.info(
    `${records.length} reserved IPs, ${candidates.length + spared.length} assigned to no droplet, ${candidates.length} to ${inputs.dryRun ? 'report (dry run)' : 'release'}`
  )

  if (inputs.dryRun) {
    for (const r of candidates) {
      released.push(listEntry(r))
      client.log.info(`Would release ${r.ip} (IPv${r.version}, ${r.region})`)
    }
  } else {
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < candidates.length) {
        const r = candidates[next++]
        try {
          const outcome = await releaseIfFree(client, { text: r.ip, version: r.version }, false)
          switch (outcome.kind) {
            case 'released':
              released.push(listEntry(outcome.record))
              client.log.info(`Released ${r.ip} (IPv${r.version}, ${r.region})`)
              break
            case 'gone':
              spared.push({ record: r, reason: 'already released by someone else' })
              break
            case 'assigned':
              spared.push({ record: r, reason: `assigned to droplet ${outcome.record.dropletId} since it was listed` })
              client.log.info(`Spared ${r.ip}: it was assigned to droplet ${outcome.record.dropletId} meanwhile`)
              break
            case 'busy':
              spared.push({ record: r, reason: `busy: ${outcome.reason}` })
              client.log.info(`Spared ${r.ip}: ${outcome.reason}`)
              break
          }
        } catch (error) {
          if (error instanceof ApiError || error instanceof TransportError || error instanceof GaveUpError) {
            failed.push({ record: r, reason: error.message })
            client.log.warning(`Could not release ${r.ip}: ${error.message}`)
            if (
              error instanceof GaveUpError ||
              (error instanceof ApiError && (error.status === 401 || error.status === 403))
            ) {
              next = candidates.length
            }
          } else {
            throw error
          }
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, candidates.length) }, worker))
  }

  const outputs = emptyOutputs()
  released.sort((a, b) => a.ip.localeCompare(b.ip))
  outputs.ips = JSON.stringify(released)
  outputs.count = String(released.length)
  outputs.changed = String(!inputs.dryRun && released.length > 0)
  const verb = inputs.dryRun ? 'Would release' : 'Released'
  const rows: string[][] = [
    ...released.map((e) => [e.ip, `IPv${e.ip_version}`, e.region, inputs.dryRun ? 'would release' : 'released', '']),
    ...spared.map((s) => [s.record.ip, `IPv${s.record.version}`, s.record.region, 'spared', s.reason]),
    ...failed.map((s) => [s.record.ip, `IPv${s.record.version}`, s.record.region, 'failed', s.reason])
  ]
  return {
    outputs,
    error:
      failed.length > 0
        ? `${failed.length} of ${candidates.length} IPs could not be released: ${failed.map((f) => f.record.ip).join(', ')}`
        : undefined,
    summary: {
      title: `Reserved IP cleanup${inputs.dryRun ? ' (dry run)' : ''}: ${verb.toLowerCase()} ${released.length}`,
      tables: [{ header: ['IP', 'Version', 'Region', 'Result', 'Reason'], rows }],
      notes: inputs.dryRun ? ['Dry run: nothing was released.'] : []
    }
  }
}
