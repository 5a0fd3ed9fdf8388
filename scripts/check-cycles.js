// Fails when the modules of src/ import each other in a cycle. Unlike ESLint's import-x/no-cycle,
// which skips `import type`, this counts every import: a cycle of types still ties two modules
// together, so neither can move or be read alone. Run by `npm run lint`.
import { parseCircular, parseDependencyTree } from 'dpdm'
import { relative } from 'node:path'

/** The import graph of `files`, paths relative to the working directory. */
async function importGraph(files) {
  const tree = await parseDependencyTree(files, { transform: false, skipDynamicImports: false })
  const rel = (path) => relative(process.cwd(), path)
  const graph = {}
  for (const [id, deps] of Object.entries(tree)) {
    const kept = (deps ?? []).filter((dep) => dep.id)
    graph[rel(id)] = kept.map((dep) => ({ ...dep, issuer: rel(dep.issuer), id: rel(dep.id) }))
  }
  return graph
}

async function findCycles(files) {
  return parseCircular(await importGraph(files))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cycles = await findCycles(process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['src/**/*.ts'])
  for (const cycle of cycles) console.error(`import cycle: ${[...cycle, cycle[0]].join(' -> ')}`)
  if (cycles.length > 0) {
    console.error('Break the cycle: move what both need into a module below them.')
    process.exit(1)
  }
  console.log('no import cycle in src/')
}
