#!/usr/bin/env bash
# Sorts __tests__/ into folders by layer, with `git mv`, and fixes every relative path that moves
# with the files (imports, `new URL('..', import.meta.url)`) and every mention of a moved file in the
# docs, scripts and configs. Run once from the repository's root on a clean tree, then
# `npm run format`, `npm test` and `npm run lint`, and commit.
#
#   unit/       one module or file at a time: inputs, report, transport, the context, the house
#               rules, the README, examples and action.yml against each other
#   scenarios/  whole operations, in process, against the simulator (faults included)
#   dist/       the bundled action, run as a runner runs it
#   fuzz/       the randomized run and its harness
#   sim/        the simulator itself
#   helpers/    the shared set-up (support, simulator, markdown, certificates, proxy)
#   fixtures/   stays where it is (scripts/tls-front.js and .github/workflows/proxy.yml name it)
#
# A test file that is not in the table below stops the script before anything moves: give it a row.
# Rows whose file is not there (files of branches not merged yet) are skipped.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

MOVES='
action-metadata.test.ts     unit
address.test.ts             unit
api-types.test.ts           unit
context.test.ts             unit
examples.test.ts            unit
http.test.ts                unit
inputs-probing.test.ts      unit
inputs.test.ts              unit
layers.test.ts              unit
neutral.test.ts             unit
prune-guards.test.ts        unit
rate-budget.test.ts         unit
readme-pinning.test.ts      unit
readme.test.ts              unit
run.test.ts                 unit
source-maps.test.ts         unit
summary.test.ts             unit
transport-text.test.ts      unit
cancel.test.ts              scenarios
change-protocol.test.ts     scenarios
cutover.test.ts             scenarios
edges.test.ts               scenarios
faults.test.ts              scenarios
operations.test.ts          scenarios
outcomes.test.ts            scenarios
precheck.test.ts            scenarios
probe-rules.test.ts         scenarios
proxy.test.ts               scenarios
prune-safety.test.ts        scenarios
prune.test.ts               scenarios
rate-shared.test.ts         scenarios
readme-recipe.test.ts       scenarios
rollback-op.test.ts         scenarios
summary-rendered.test.ts    scenarios
verify.test.ts              scenarios
bundle.test.ts              dist
dist-cutover.test.ts        dist
dist.test.ts                dist
edges-dist.test.ts          dist
tls-probe.test.ts           dist
fuzz-case.ts                fuzz
fuzz-examples.test.ts       fuzz
fuzz-invariants.ts          fuzz
fuzz-op-invariants.ts       fuzz
fuzz-op-scenarios.ts        fuzz
fuzz-operations.test.ts     fuzz
fuzz-report.ts              fuzz
fuzz-run.ts                 fuzz
fuzz-scenarios.ts           fuzz
fuzz-suite.ts               fuzz
fuzz-support.ts             fuzz
fuzz.test.ts                fuzz
fuzz-sim.test.ts            sim
services.test.ts            sim
simulator-changes.test.ts   sim
simulator-droplets.test.ts  sim
simulator-edges.test.ts     sim
simulator-guards.test.ts    sim
simulator.test.ts           sim
markdown.ts                 helpers
operation-probe.ts          helpers
probe-certs.ts              helpers
proxy-support.ts            helpers
sim-http.ts                 helpers
support.ts                  helpers
three-droplets.ts           helpers
'

if ! git diff --quiet HEAD -- __tests__; then
  echo "__tests__/ has uncommitted changes: commit or stash them first." >&2
  exit 1
fi

unmapped=()
for path in __tests__/*.ts; do
  name="${path#__tests__/}"
  grep -qE "^${name//./\\.}[[:space:]]" <<<"$MOVES" || unmapped+=("$path")
done
if [ "${#unmapped[@]}" -gt 0 ]; then
  echo "No folder for: ${unmapped[*]}. Add a row to MOVES in scripts/move-tests.sh." >&2
  exit 1
fi

# old path -> new path, for the files that are here (a row whose file is gone is skipped).
pairs=()
while read -r name folder; do
  [ -n "$name" ] || continue
  if [ -f "__tests__/$name" ]; then
    pairs+=("__tests__/$name=__tests__/$folder/$name")
  else
    echo "skipped (no such file): __tests__/$name"
  fi
done <<<"$MOVES"

for pair in "${pairs[@]}"; do
  mkdir -p "$(dirname "${pair#*=}")"
  git mv "${pair%%=*}" "${pair#*=}"
done

# Every relative path in a file of __tests__/ that names something that exists is re-aimed from the
# file's new folder (at the moved file, when it names one); paths to nothing (test data such as
# '../droplets/1') are left alone.
MOVED="${pairs[*]}" node --input-type=module - <<'JS'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { posix } from 'node:path'

const moves = new Map(process.env.MOVED.split(' ').map((pair) => pair.split('=')))
const oldOf = new Map([...moves].map(([from, to]) => [to, from]))
const files = execFileSync('git', ['ls-files', '__tests__'], { encoding: 'utf8' })
  .split('\n')
  .filter((file) => /\.(ts|js)$/.test(file))

function aim(target) {
  const ts = target.replace(/\.js$/, '.ts')
  if (moves.has(target)) return moves.get(target)
  if (moves.has(ts)) return moves.get(ts).replace(/\.ts$/, '.js')
  return existsSync(target) || existsSync(ts) ? target : undefined
}

for (const file of files) {
  const old = oldOf.get(file) ?? file
  const text = readFileSync(file, 'utf8')
  const next = text.replace(/(['"])(\.\.|\.\.?\/[^'"\n]*)\1/g, (whole, quote, spec) => {
    const target = posix.normalize(posix.join(posix.dirname(old), spec))
    const aimed = aim(target)
    if (aimed === undefined) return whole
    let rel = posix.relative(posix.dirname(file), aimed) || '.'
    if (!rel.startsWith('.')) rel = `./${rel}`
    if (spec.endsWith('/') && !rel.endsWith('/')) rel += '/'
    return `${quote}${rel}${quote}`
  })
  if (next !== text) writeFileSync(file, next)
}

// Mentions of a moved file by its path (a replay hint, docs, scripts, configs; not the changelog's past).
const mentions = execFileSync('git', ['ls-files'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.(md|js|ts|json|jsonc|yml|yaml)$|^\.ci\//.test(f) && !/^dist\/|^CHANGELOG\.md$/.test(f))
for (const file of mentions) {
  const text = readFileSync(file, 'utf8')
  const next = text.replace(/__tests__\/[\w.-]+\.ts\b/g, (path) => moves.get(path) ?? path)
  if (next !== text) writeFileSync(file, next)
}
JS

# .prettierignore's `dist/` (the bundle) would also hide __tests__/dist/ from prettier.
sed -i 's|^dist/$|/dist/|' .prettierignore

npx prettier --write --log-level warn __tests__
echo "Moved ${#pairs[@]} files. Now: npm test, npm run lint, npm run format:check, then commit."
