/**
 * The action's run(): the only module that talks to @actions/core. Masks the token, reads and
 * validates the inputs, runs the operation, and sets the outputs and the step summary.
 */
import * as core from '@actions/core'
import { InputError, parseInputs } from './inputs.js'
import { runOperation } from './run.js'
import { renderSummary } from './summary.js'
import { OUTPUT_NAMES } from './result.js'
import { userAgent } from './user-agent.js'
import { logText } from './neutral.js'

/** Removes every secret from a message, whatever path it took to get there. */
function scrub(message: string, secrets: readonly string[]): string {
  let out = message
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***')
  return out
}

export async function run(): Promise<void> {
  const startedAt = Date.now()
  const secrets = [
    core.getInput('token'),
    process.env.DIGITALOCEAN_ACCESS_TOKEN ?? '',
    process.env.DIGITALOCEAN_TOKEN ?? ''
  ]
    .map((s) => s.trim())
    .filter((s) => s !== '')
  for (const s of secrets) core.setSecret(s)

  try {
    const inputs = parseInputs((name) => core.getInput(name), process.env)
    const log = {
      info: (m: string) => core.info(logText(scrub(m, secrets))),
      warning: (m: string) => core.warning(logText(scrub(m, secrets))),
      debug: (m: string) => core.debug(logText(scrub(m, secrets))),
      startGroup: (title: string) => core.startGroup(logText(scrub(title, secrets))),
      endGroup: () => core.endGroup()
    }
    const result = await runOperation(inputs, { log, userAgent: userAgent(process.env), startedAt })
    for (const name of OUTPUT_NAMES) core.setOutput(name, result.outputs[name])
    if (process.env.GITHUB_STEP_SUMMARY) {
      await core.summary.addRaw(scrub(renderSummary(result.summary), secrets)).write()
    }
    if (result.error) core.setFailed(scrub(result.error, secrets))
  } catch (error) {
    // Nothing was changed (a step that changed something returns its outputs with its error):
    // every output is still set, so later steps can test them.
    if (!(error instanceof InputError)) {
      for (const name of OUTPUT_NAMES) core.setOutput(name, name === 'changed' ? 'false' : '')
    }
    const message = error instanceof Error ? error.message : String(error)
    core.setFailed(scrub(message, secrets))
  }
}
