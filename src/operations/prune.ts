/**
 * prune: releases the reserved IPs that are assigned to no droplet (within region/ip_version),
 * minus keep, minus what keep_dns and unassigned_for spare, at most max_release. The engine is in
 * engine/prune.ts, the report in report/prune-report.ts.
 */
import type { Inputs } from '../inputs/inputs.js'
import { newPruneProgress, runPrune, type PruneSettings } from '../engine/prune.js'
import { pruneReport } from '../report/prune-report.js'
import type { OperationResult } from '../report/result.js'
import type { OperationContext } from './context.js'

export function pruneSettings(inputs: Inputs): PruneSettings {
  return {
    ipVersion: inputs.ipVersion,
    region: inputs.region,
    keep: inputs.keep,
    keepDns: inputs.keepDns,
    unassignedForMs: inputs.unassignedForMs,
    maxRelease: inputs.maxRelease,
    dryRun: inputs.dryRun
  }
}

export async function prune(ctx: OperationContext): Promise<OperationResult> {
  const progress = newPruneProgress(pruneSettings(ctx.inputs))
  ctx.onPrune?.(progress)
  await runPrune(ctx.client, progress)
  return pruneReport(progress)
}
