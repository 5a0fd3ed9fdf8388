// Writes dist/licenses.txt: the licence of every third-party package whose code is in the bundle.
// The packages are read from the bundle's source maps (dist/*.map), so the list follows the
// bundle and cannot miss a package that ncc inlined. Run by `npm run build` after ncc.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')

/** The package directory (relative to the repository) of a source path, e.g. node_modules/@actions/core. */
function packageDir(source) {
  const match = /(?:^|\/)(node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(source)
  return match?.[1]
}

function bundledPackages() {
  const dirs = new Set()
  for (const file of readdirSync(dist).filter((f) => f.endsWith('.js.map'))) {
    for (const source of JSON.parse(readFileSync(join(dist, file), 'utf8')).sources) {
      const dir = packageDir(source)
      if (dir) dirs.add(dir)
    }
  }
  if (dirs.size === 0) throw new Error('No source map in dist/ names a package: build with --source-map first')
  return [...dirs]
}

/** The licence text a package ships: a LICENSE/LICENCE/COPYING file, else its README's licence section. */
function licenceText(dir) {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f))
  if (file) return readFileSync(join(dir, file), 'utf8').trim()
  const readme = readdirSync(dir).find((f) => /^readme(\.md)?$/i.test(f))
  const section =
    readme &&
    /^#*\s*licen[cs]e\s*\n(?:-+\n)?([\s\S]*?)(?=\n#|\n[^\n]+\n-{3,}\n|(?![\s\S]))/im.exec(
      readFileSync(join(dir, readme), 'utf8')
    )
  if (section?.[1]?.trim()) return section[1].trim()
  throw new Error(`${dir} ships no licence text`)
}

const entries = bundledPackages()
  .map((rel) => {
    const dir = join(root, rel)
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    return { name: pkg.name, version: pkg.version, license: pkg.license ?? 'UNKNOWN', text: licenceText(dir) }
  })
  .sort((a, b) => a.name.localeCompare(b.name))
if (!existsSync(dist)) throw new Error('dist/ does not exist')
const out = entries
  .map((e) => `${e.name} ${e.version}\n${e.license}\n\n${e.text}\n`)
  .join('\n' + '-'.repeat(72) + '\n\n')
writeFileSync(join(dist, 'licenses.txt'), `Third-party packages bundled in dist/ (${entries.length})\n\n${out}`)
console.log(`dist/licenses.txt: ${entries.map((e) => e.name).join(', ')}`)
