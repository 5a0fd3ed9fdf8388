/**
 * Telling what happened: the failures by invariant, a case's requests, holder changes and releases
 * in order, its outputs, error and log, and a shrunk counterexample with the line that replays it.
 */
import type { AnyScenario, Observation } from './fuzz-case.js'
import { cutShort, name } from './fuzz-invariants.js'
import type { FuzzReport, Shrunk } from './fuzz-run.js'

/** Which invariants failed, in how many cases, and the first case indices of each. */
export function tally(report: FuzzReport): string[] {
  const by = new Map<string, number[]>()
  for (const f of report.failures)
    for (const inv of new Set(f.problems.map((p) => p.invariant))) by.set(inv, [...(by.get(inv) ?? []), f.index])
  return [...by.keys()].sort().map((inv) => {
    const cases = by.get(inv)!
    return `(${inv}) ${cases.length} case(s), e.g. ${cases.slice(0, 6).join(', ')}`
  })
}

/** The requests of a case, one a line: what the simulator received and answered. */
function trace(o: Observation<AnyScenario>): string[] {
  const lines: [number, string][] = o.requests.map((r, i) => {
    const body = r.body === undefined ? '' : ` ${JSON.stringify(r.body)}`
    const answer = `${r.status || 'no answer'}${r.injected ? ` [${r.injected}]` : ''}`
    const cancelled = o.step.cancel?.index === i + 1 ? ' (the step is cancelled as it arrives)' : ''
    const cut = cutShort(o, i) ? ' (its answer may be cut short by the cancellation)' : ''
    return [r.seq ?? Infinity, `  #${i} ${r.method} ${r.path}${body} -> ${answer}${cancelled}${cut}`]
  })
  for (const c of o.changes) {
    const action = c.actionId ? `action ${c.actionId} of ${c.by}` : `${c.by}, at once`
    lines.push([c.seq, `  -- ${c.ip} moved from ${name(o, c.from)} to ${name(o, c.to)} (${action})`])
  }
  for (const r of o.releases) lines.push([r.seq + 0.5, `  -- ${r.ip} released, held by ${name(o, r.holder)}`])
  return lines.sort((a, b) => a[0] - b[0]).map(([, line]) => line)
}

/** The trace, outputs, error and log of a case, for a failure's report. */
export function storyOf(o: Observation<AnyScenario>): string[] {
  return [
    `Outputs: ${JSON.stringify({ ...o.step.outputs, json: o.step.outputs.json ? '…' : '' })}`,
    `Error: ${o.step.error ?? '(none)'}`,
    'Requests and moves:',
    ...trace(o),
    'Log:',
    ...o.step.logs.filter((l) => !l.startsWith('debug:')).map((l) => `  ${l}`)
  ]
}

/** `file`: the test file that replays it. */
export function describeFailure(seed: number, shrunk: Shrunk, file: string): string {
  const lines = [
    `Counterexample (seed ${seed}, path ${shrunk.path}, ${shrunk.shrinks} shrinks):`,
    JSON.stringify(shrunk.scenario),
    ...shrunk.problems.map((p) => `  (${p.invariant}) ${p.text}`)
  ]
  if (shrunk.observation) lines.push(...storyOf(shrunk.observation))
  lines.push(`Replay: FUZZ_CASE='${JSON.stringify(shrunk.scenario)}' npm test -- ${file}`)
  return lines.join('\n')
}
