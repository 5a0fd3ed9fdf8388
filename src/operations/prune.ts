/**
 * prune: releases the reserved IPs that are assigned to no droplet (within region/ip_version),
 * minus keep, minus what keep_dns and unassigned_for spare, at most max_release. The engine is in
 * engine/prune.ts, the report in report/prune-report.ts.
 */
import type { PruneInputs } from '../inputs/inputs.js'
import { newPruneProgress, runPrune, stopPrune, type PruneSettings } from '../engine/prune.js'
import { cancelCause, messageOf } from '../engine/outcome.js'
import { pruneReport } from '../report/prune-report.js'
import type { OperationResult } from '../report/result.js'
import type { OperationContext } from './operation.js'

function pruneSettings(inputs: PruneInputs): PruneSettings {
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

export async function prune(ctx: OperationContext<PruneInputs>): Promise<OperationResult> {
  const progress = newPruneProgress(pruneSettings(ctx.inputs))
  // A cancelled step stops the prune (nothing more is started) and reports what it did so far.
  ctx.journal.prune = progress
  const stop = (): void => stopPrune(progress, cancelCause(ctx.engine.signal))
  ctx.engine.signal.addEventListener('abort', stop, { once: true })
  try {
    await runPrune(ctx.engine, progress)
  } catch (error) {
    // Only the listing throws: nothing was released, and the report says so with ips [] and count 0.
    if (progress.phase !== 'listing') throw error
    progress.error = `The reserved IPs could not be listed, so nothing was released: ${messageOf(error)}`
  } finally {
    ctx.engine.signal.removeEventListener('abort', stop)
  }
  return pruneReport(progress, ctx.engine.signal.aborted ? { cancelled: cancelCause(ctx.engine.signal) } : {})
}
