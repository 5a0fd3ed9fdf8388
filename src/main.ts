/**
 * The action's run(): the only module that talks to @actions/core. Masks the token, reads and
 * validates the inputs, runs the operation, and sets the outputs and the step summary on every
 * outcome: success, failure, bad input and cancellation alike.
 */
import { messageOf } from './engine/outcome.js'
import * as core from '@actions/core'
import type * as GitHub from '@actions/github'
import { Journal } from './engine/journal.js'
import { partialReport } from './report/partial-report.js'
import { givenAddresses, parseInputs, type Inputs } from './inputs/inputs.js'
import { OPERATIONS } from './inputs/operation.js'
import type { Logger } from './logger.js'
import { failureResult, OUTPUT_NAMES, type OperationResult } from './report/result.js'
import { runOperation, testClientOptions } from './run.js'
import { renderSummary } from './report/summary.js'
import { userAgent } from './transport/user-agent.js'
import { logText } from './report/neutral.js'
import { CONTROL_PANEL, runUrl, type SummaryLinks } from './report/links.js'
import { scrubSecrets } from './transport/scrub.js'

/** Removes every secret, and any 8 or more of its characters in a row, whatever path the text took. */
const scrub = scrubSecrets

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

type GitHubContext = typeof GitHub.context

/**
 * @actions/github's context, for the link to the workflow run: loaded only when there is a step
 * summary to write, and without waiting for it (it brings Octokit along), so that it loads while
 * the operation waits on the network rather than before it starts.
 */
function loadGitHubContext(): Promise<GitHubContext | undefined> {
  if (!process.env.GITHUB_STEP_SUMMARY) return Promise.resolve(undefined)
  return import('@actions/github').then(
    (github) => github.context,
    () => undefined
  )
}

/** The summary's links: the workflow run, from @actions/github's context (none outside a run), and DigitalOcean's control panel. */
function summaryLinks(context: GitHubContext | undefined): SummaryLinks {
  const controlPanel = CONTROL_PANEL
  if (!context) return { controlPanel }
  let repository = ''
  try {
    repository = `${context.repo.owner}/${context.repo.repo}`
  } catch {
    // Not in a workflow run: no repository, so no run to link to.
  }
  const { serverUrl, runId, runAttempt } = context
  return { runUrl: runUrl({ serverUrl, repository, runId, runAttempt }), controlPanel }
}

/** Sets every output, writes the summary, and fails the step when the result says so. */
async function report(
  result: OperationResult,
  secrets: readonly string[],
  links: () => Promise<SummaryLinks>
): Promise<void> {
  for (const name of OUTPUT_NAMES) core.setOutput(name, scrub(result.outputs[name], secrets))
  if (process.env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary.addRaw(scrub(renderSummary(result.summary, await links()), secrets)).write()
    } catch (error) {
      core.warning(`The step summary could not be written: ${logText((error as Error).message)}`)
    }
  }
  // The message holds DigitalOcean's text: one line that cannot start a workflow command.
  if (result.error) core.setFailed(logText(scrub(result.error, secrets)))
}

/** Reports exactly once: the first result given; later calls wait for that report to be written. */
function reportOnce(
  secrets: readonly string[],
  links: () => Promise<SummaryLinks>
): (result: () => OperationResult) => Promise<void> {
  let written: Promise<void> | undefined
  return (result) => (written ??= report(result(), secrets, links))
}

/** How long a cancelled step waits for the operation's own result before it reports from the journal. */
const CANCEL_REPORT_MS = 1500
/** When a cancelled step exits, whatever happens. */
const CANCEL_EXIT_MS = 1900

/**
 * On SIGINT or SIGTERM (the runner cancelling the job): abort the step's signal, so that nothing
 * more is sent and every wait ends; report the operation's result if it comes within 1.5 s, else
 * what the journal holds; exit within 2 s.
 */
function onCancel(cancel: (signal: NodeJS.Signals) => void): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    setTimeout(() => process.exit(1), CANCEL_EXIT_MS).unref()
    cancel(signal)
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
  const controller = new AbortController()
  const journal = new Journal()
  let inputs: Inputs | undefined
  const github = loadGitHubContext()
  const reportResult = reportOnce(secrets, async () => summaryLinks(await github))
  const given = (): string[] => givenAddresses(inputs)
  const stopListening = onCancel((signal) => {
    controller.abort(signal)
    setTimeout(() => {
      void reportResult(() => partialReport(journal, signal, given())).finally(() => process.exit(1))
    }, CANCEL_REPORT_MS)
  })
  let result: () => OperationResult
  try {
    inputs = parseInputs((name) => core.getInput(name), process.env)
    const outcome = await runOperation(inputs, {
      log: logger(secrets),
      userAgent: userAgent(process.env),
      startedAt,
      client: testClientOptions(inputs.apiUrl, process.env),
      signal: controller.signal,
      journal
    })
    result = () => outcome
  } catch (error) {
    result = () => failedStep(error, inputs, controller.signal, journal)
  }
  await reportResult(result)
  stopListening()
  if (controller.signal.aborted) process.exit(1)
}

/** The result of a step whose operation threw: a cancellation reports what the journal holds. */
function failedStep(
  error: unknown,
  inputs: Inputs | undefined,
  signal: AbortSignal,
  journal: Journal
): OperationResult {
  const given = givenAddresses(inputs)
  if (signal.aborted) return partialReport(journal, String(signal.reason), given)
  const message = messageOf(error)
  const named = core.getInput('operation').trim().toLowerCase()
  // Only a known operation's name goes into the summary's title.
  const operation = inputs?.operation ?? (OPERATIONS.find((op) => op === named) || '')
  const sent =
    journal.addresses.length > 0 ||
    journal.releases.length > 0 ||
    journal.reserved !== undefined ||
    journal.creating !== undefined
  return failureResult(operation, message, given, !sent)
}
