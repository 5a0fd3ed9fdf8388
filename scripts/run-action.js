// Runs the bundled action (dist/index.js) the way a GitHub runner does: inputs as INPUT_*
// variables, outputs through the GITHUB_OUTPUT file, the summary through GITHUB_STEP_SUMMARY.
// Used by the tests, the demo and the benchmark.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url))

/**
 * Parses the GITHUB_OUTPUT file format: `name<<DELIMITER` ... `DELIMITER` blocks, and plain `name=value` lines.
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function parseOutputFile(text) {
  /** @type {Record<string, string>} */
  const out = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i])
      out[name] = value.join('\n')
    } else if (line.includes('=')) {
      const at = line.indexOf('=')
      out[line.slice(0, at)] = line.slice(at + 1)
    }
  }
  return out
}

/**
 * @typedef {{ code: number, stdout: string, stderr: string, outputs: Record<string, string>, summary: string, ms: number, signalledMs?: number }} ActionRun
 * @typedef {{ signal: NodeJS.Signals, when: RegExp }} Cancel the runner cancelling the job: the signal is sent once stdout matches
 */

/**
 * Runs dist/index.js with the given inputs.
 * @param {Record<string, string>} inputs action inputs by name (token, operation, ip, ...)
 * @param {Record<string, string>} [env] extra environment
 * @param {number} [timeoutMs] the child is killed after this long
 * @param {Cancel} [cancel] sends a signal once the log shows a line (signalledMs: how long the child took to exit after it)
 * @param {string} [script] the bundle to run (default dist/index.js)
 * @returns {Promise<ActionRun>}
 */
export function runAction(inputs, env = {}, timeoutMs = 120_000, cancel = undefined, script = DIST) {
  const dir = mkdtempSync(join(tmpdir(), 'do-ip-run-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  /** @type {Record<string, string>} */
  const childEnv = {
    PATH: process.env.PATH ?? '',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_REPOSITORY: 'octo-org/deploy',
    GITHUB_RUN_ID: '42',
    RUNNER_TEMP: dir,
    ...env
  }
  for (const [name, value] of Object.entries(inputs)) childEnv[`INPUT_${name.toUpperCase()}`] = value
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env: childEnv })
    let stdout = ''
    let stderr = ''
    /** @type {number | undefined} */
    let signalledAt
    child.stdout.on('data', (d) => {
      stdout += d.toString()
      if (cancel && signalledAt === undefined && cancel.when.test(stdout)) {
        signalledAt = performance.now()
        child.kill(cancel.signal)
      }
    })
    child.stderr.on('data', (d) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      const ms = performance.now() - started
      const result = {
        code: code ?? -1,
        stdout,
        stderr,
        outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
        summary: readFileSync(summaryFile, 'utf8'),
        ms,
        signalledMs: signalledAt === undefined ? undefined : performance.now() - signalledAt
      }
      rmSync(dir, { recursive: true, force: true })
      resolve(result)
    })
  })
}
