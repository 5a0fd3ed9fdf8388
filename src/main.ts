/**
 * The action's run(): the only module that talks to @actions/core. Masks the token, reads and
 * validates the inputs, runs the operation, and sets the outputs and the step summary on every
 * outcome: success, failure, bad input and cancellation alike.
 */
import * as core from '@actions/core'
import { cancelledReport, type StartedAction } from './report/cutover-report.js'
import { OPERATIONS, parseInputs, type Inputs } from './inputs/inputs.js'
import type { Logger } from './logger.js'
import { failureResult, OUTPUT_NAMES, type OperationResult } from './report/result.js'
import { runOperation, testClientOptions } from './run.js'
import { renderSummary } from './report/summary.js'
import { userAgent } from './transport/user-agent.js'
import { logText } from './report/neutral.js'

/** Removes every secret from a message, whatever path it took to get there. */
function scrub(message: string, secrets: readonly string[]): string {
  let out = message
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***')
  return out
}

/** The token and its fallbacks, masked before anything else runs. */
function maskSecrets(): string[] {
  const secrets = [
    core.getInput('token'),
    process.env.DIGITALOCEAN_ACCESS_TOKEN ?? '',
    process.env.DIGITALOCEAN_TOKEN ?? ''
  ]
    .map((s) => s.trim())
    .filter((s) => s !== '')
  for (const s of secrets) core.setSecret(s)
  return secrets
}

function logger(secrets: readonly string[]): Logger {
  return {
    info: (m: string) => core.info(logText(scrub(m, secrets))),
    warning: (m: string) => core.warning(logText(scrub(m, secrets))),
    debug: (m: string) => core.debug(logText(scrub(m, secrets))),
    startGroup: (title: string) => core.startGroup(logText(scrub(title, secrets))),
    endGroup: () => core.endGroup()
  }
}

/** Sets every output, writes the summary, and fails the step when the result says so. */
async function report(result: OperationResult, secrets: readonly string[]): Promise<void> {
  for (const name of OUTPUT_NAMES) core.setOutput(name, scrub(result.outputs[name], secrets))
  if (process.env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary.addRaw(scrub(renderSummary(result.summary), secrets)).write()
    } catch (error) {
      core.warning(`The step summary could not be written: ${(error as Error).message}`)
    }
  }
  if (result.error) core.setFailed(scrub(result.error, secrets))
}

/**
 * On SIGINT or SIGTERM (the runner cancelling the job): send nothing more, report the actions still
 * in progress, and exit within 2 seconds.
 */
function onCancel(underWay: ReadonlyMap<number, StartedAction>, secrets: readonly string[]): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    setTimeout(() => process.exit(1), 1500).unref()
    void report(cancelledReport(signal, [...underWay.values()]), secrets).finally(() => process.exit(1))
  }
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}

export async function run(): Promise<void> {
  const startedAt = Date.now()
  const secrets = maskSecrets()
  // The actions under way, by id: what a cancelled step reports.
  const underWay = new Map<number, StartedAction>()
  const stopListening = onCancel(underWay, secrets)
  let inputs: Inputs | undefined
  let result: OperationResult
  try {
    inputs = parseInputs((name) => core.getInput(name), process.env)
    result = await runOperation(inputs, {
      log: logger(secrets),
      userAgent: userAgent(process.env),
      startedAt,
      client: testClientOptions(inputs.apiUrl, process.env),
      onAction: (e) => (e.ended ? underWay.delete(e.actionId) : underWay.set(e.actionId, e))
    })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const named = core.getInput('operation').trim().toLowerCase()
    // Only a known operation's name goes into the summary's title.
    const operation = inputs?.operation ?? (OPERATIONS.find((op) => op === named) || '')
    result = failureResult(
      operation,
      message,
      inputs?.ips.map((a) => a.text)
    )
  }
  await report(result, secrets)
  stopListening()
}
