/**
 * The house rules of eslint.config.js fire: an import against the layers, a value import where only
 * types may pass, `@actions/core` below main.ts, an import cycle, a long function. Each probe is
 * source text linted as if it were a file of src/, next to the real files it imports.
 */
import { describe, expect, it } from '@jest/globals'
import { ESLint } from 'eslint'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { LAYERS } from '../../eslint.config.js'

interface Layer {
  name: string
  paths: string[]
  imports: string[]
  types?: string[]
}

const layers = LAYERS as Layer[]
const HOUSE_RULES = new Set([
  'import-x/no-restricted-paths',
  '@typescript-eslint/no-restricted-imports',
  'import-x/no-cycle',
  'no-restricted-imports',
  'no-restricted-syntax',
  'max-lines-per-function'
])

// Only the house rules run: they need no type information, so the probes need not be in tsconfig.
const eslint = new ESLint({
  overrideConfig: { files: ['**/*.ts'], languageOptions: { parserOptions: { project: false } } },
  ruleFilter: ({ ruleId }) => HOUSE_RULES.has(ruleId)
})

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)))
    .filter((file) => file.endsWith('.ts'))
}

const srcFiles = filesUnder('src')
const layerOf = (file: string): Layer[] =>
  layers.filter((layer) => layer.paths.some((path) => file === path || file.startsWith(`${path}/`)))
const byName = (name: string): Layer => layers.find((layer) => layer.name === name)!

/** Where a probe of `layer` is linted from: a new file in its folder, or its first file. */
const probePath = (layer: Layer): string =>
  layer.paths[0]!.endsWith('.ts') ? layer.paths[0]! : `${layer.paths[0]}/layer-probe.ts`

/** A real file of `layer`, as `from` imports it. */
function specifierOf(layer: Layer, from: string): string {
  const target = layer.paths.flatMap(filesUnder)[0]!
  const rel = relative(dirname(from), target).replace(/\.ts$/, '.js')
  return rel.startsWith('.') ? rel : `./${rel}`
}

async function problems(filePath: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath })
  return result!.messages.map((m) => m.ruleId ?? m.message)
}

/** A value import of `layer` from `from`, and the rules it breaks. */
async function importProblems(from: string, layer: Layer, kind: 'value' | 'type'): Promise<string[]> {
  const specifier = specifierOf(layer, from)
  const text =
    kind === 'type'
      ? `import type * as probe from '${specifier}'\nexport type Probe = typeof probe\n`
      : `import * as probe from '${specifier}'\nexport const used = probe\n`
  return problems(from, text)
}

const pairs = layers.flatMap((layer) => layers.map((other) => [layer.name, other.name] as const))
const isAllowed = (layer: string, other: string): boolean =>
  other === layer || other === 'shared' || byName(layer).imports.includes(other)
const typesOnly = (layer: string, other: string): boolean => byName(layer).types?.includes(other) ?? false

describe('the layers of src/', () => {
  it('put every file of src/ in exactly one layer', () => {
    expect(srcFiles.length).toBeGreaterThan(10)
    expect(srcFiles.filter((file) => layerOf(file).length !== 1)).toEqual([])
  })

  it.each(pairs.filter(([layer, other]) => !isAllowed(layer, other) && !typesOnly(layer, other)))(
    '%s may not import %s',
    async (layer, other) => {
      const rules = await importProblems(probePath(byName(layer)), byName(other), 'value')
      expect({ other, rules }).toEqual({ other, rules: expect.arrayContaining(['import-x/no-restricted-paths']) })
    }
  )

  it.each(pairs.filter(([layer, other]) => isAllowed(layer, other) && other !== layer))(
    'let %s import %s',
    async (layer, other) => {
      expect({ other, rules: await importProblems(probePath(byName(layer)), byName(other), 'value') }).toEqual({
        other,
        rules: []
      })
    }
  )

  it.each(pairs.filter(([layer, other]) => typesOnly(layer, other)))(
    'let %s import only the types of %s',
    async (layer, other) => {
      const from = probePath(byName(layer))
      expect(await importProblems(from, byName(other), 'value')).toEqual(['@typescript-eslint/no-restricted-imports'])
      expect(await importProblems(from, byName(other), 'type')).toEqual([])
    }
  )

  it('has a table with rows that point down only', () => {
    const order = layers.map((layer) => layer.name)
    const inverted = layers.flatMap((layer) =>
      [...layer.imports, ...(layer.types ?? [])]
        .filter((name) => order.indexOf(name) <= order.indexOf(layer.name))
        .map((name) => `${layer.name} -> ${name}`)
    )
    expect(inverted).toEqual([])
  })
})

describe('the other house rules', () => {
  it('let only src/main.ts import @actions/core and @actions/github', async () => {
    const text =
      "import * as core from '@actions/core'\nimport * as github from '@actions/github'\nexport { core, github }\n"
    expect(await problems('src/engine/layer-probe.ts', text)).toEqual([
      'no-restricted-imports',
      'no-restricted-imports'
    ])
    expect(await problems('src/main.ts', text)).toEqual([])
    const later = "export const load = () => [import('@actions/core'), import('@actions/github')]\n"
    expect(await problems('src/report/layer-probe.ts', later)).toEqual(['no-restricted-syntax', 'no-restricted-syntax'])
    expect(await problems('src/main.ts', later)).toEqual([])
  })

  it('refuse an import that closes a cycle', async () => {
    // A real value import inside src/ (importer -> imported), closed by a probe at the imported path.
    const edge = srcFiles
      .flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/^import \{ (?!type )[^}]*\} from '(\.\/[\w-]+)\.js'/gm)].map(
          (m) => [file, join(dirname(file), `${m[1]}.ts`)] as const
        )
      )
      .find(([, imported]) => srcFiles.includes(imported))
    expect(edge).toBeDefined()
    const [importer, imported] = edge!
    const back = `./${relative(dirname(imported), importer).replace(/\.ts$/, '.js')}`
    expect(await problems(imported, `import * as back from '${back}'\nexport const used = back\n`)).toContain(
      'import-x/no-cycle'
    )
  })

  it('refuse a function longer than 45 lines, blank lines and comments aside', async () => {
    const body = (n: number): string =>
      Array.from({ length: n }, (_, i) => `  const v${i} = ${i}\n\n  // ${i}`).join('\n')
    const fn = (n: number): string => `export function long(): number {\n${body(n)}\n  return 0\n}\n`
    expect(await problems('src/inputs/layer-probe.ts', fn(42))).toEqual([])
    expect(await problems('src/inputs/layer-probe.ts', fn(43))).toEqual(['max-lines-per-function'])
  })
})

describe('scripts/check-cycles.js', () => {
  it('finds a cycle made of type imports, which ESLint lets pass', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycles-'))
    try {
      writeFileSync(join(dir, 'a.ts'), "import type { B } from './b.js'\nexport interface A { b?: B }\n")
      writeFileSync(join(dir, 'b.ts'), "import type { A } from './a.js'\nexport interface B { a?: A }\n")
      writeFileSync(join(dir, 'c.ts'), "import type { A } from './a.js'\nexport type C = A\n")
      const run = spawnSync(process.execPath, ['scripts/check-cycles.js', join(dir, '*.ts')], { encoding: 'utf8' })
      expect(run.status).toBe(1)
      expect(run.stderr.match(/^import cycle: .*$/gm)?.map((line) => line.replace(/\S*\//g, ''))).toEqual([
        'import cycle: a.ts -> b.ts -> a.ts'
      ])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
