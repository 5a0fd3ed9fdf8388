// ESLint flat config: type-aware typescript-eslint rules for the action's source, the recommended
// rules for the tests, the simulator and the scripts, and the house rules that keep src/ in shape:
// layers that only point down, no import cycles, `@actions/*` only in main.ts, short functions.
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import { createNodeResolver } from 'eslint-plugin-import-x'
import importX from 'eslint-plugin-import-x'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/**
 * The layers of src/, top to bottom. A file may import its own layer, the layers in its `imports`
 * row, the types (`import type`) of its `types` row, and the shared leaves; nothing else in src/.
 * Every file of src/ belongs to exactly one row (a test checks it).
 *
 * | layer      | paths (under src/)                                       | imports                               | types      |
 * | ---------- | -------------------------------------------------------- | ------------------------------------- | ---------- |
 * | entry      | index.ts main.ts run.ts stack-traces.ts source-maps.ts   | every layer                           |            |
 * | operations | operations/                                              | report engine do transport inputs     |            |
 * | report     | report/                                                  | inputs                                | engine do  |
 * | engine     | engine/                                                  | do transport inputs                   |            |
 * | do         | do/                                                      | transport inputs                      |            |
 * | transport  | transport/                                               |                                       |            |
 * | inputs     | inputs/                                                  |                                       |            |
 * | shared     | context.ts logger.ts words.ts                            | (each other; every layer imports it)  |            |
 *
 * Only main.ts talks to the runner (`@actions/core`, `@actions/github`). A new file or folder of
 * src/ gets a row, or joins one, before it is imported.
 */
export const LAYERS = [
  {
    name: 'entry',
    paths: ['src/index.ts', 'src/main.ts', 'src/run.ts', 'src/stack-traces.ts', 'src/source-maps.ts'],
    imports: ['operations', 'report', 'engine', 'do', 'transport', 'inputs']
  },
  { name: 'operations', paths: ['src/operations'], imports: ['report', 'engine', 'do', 'transport', 'inputs'] },
  { name: 'report', paths: ['src/report'], imports: ['inputs'], types: ['engine', 'do'] },
  { name: 'engine', paths: ['src/engine'], imports: ['do', 'transport', 'inputs'] },
  { name: 'do', paths: ['src/do'], imports: ['transport', 'inputs'] },
  { name: 'transport', paths: ['src/transport'], imports: [] },
  { name: 'inputs', paths: ['src/inputs'], imports: [] },
  { name: 'shared', paths: ['src/context.ts', 'src/logger.ts', 'src/words.ts'], imports: [] }
]

/** The rule that forbids a layer's imports; `types` rows are enforced by the type-import rule. */
const LAYER_RULE = 'import-x/no-restricted-paths'
const TYPE_RULE = '@typescript-eslint/no-restricted-imports'

const byName = new Map(LAYERS.map((layer) => [layer.name, layer]))

/** One zone per forbidden path: `layer` may not import `path`. */
function zonesOf(layer) {
  const allowed = new Set([layer.name, 'shared', ...layer.imports, ...(layer.types ?? [])])
  if (layer.name === 'entry') return []
  return LAYERS.filter((other) => !allowed.has(other.name)).flatMap((other) =>
    other.paths.map((path) => ({
      target: layer.paths,
      from: path,
      message: `The ${layer.name} layer may not import ${other.name} (see LAYERS in eslint.config.js).`
    }))
  )
}

/** The type-only rows: value imports of those layers, by relative specifier, are refused. */
function typeOnlyPatterns(layer) {
  return (layer.types ?? []).map((name) => {
    const others = byName.get(name).paths.map((path) => path.replace(/^src\//, ''))
    return {
      group: others.map((folder) => `**/${folder}/**`),
      allowTypeImports: true,
      message: `The ${layer.name} layer may import only the types of ${name} (see LAYERS in eslint.config.js).`
    }
  })
}

function typeRule(layer) {
  return ['error', { patterns: typeOnlyPatterns(layer) }]
}

/** The layer rules for every layer. */
function layerBlocks() {
  const zones = LAYERS.flatMap((layer) => zonesOf(layer))
  const blocks = [{ files: ['src/**/*.ts'], rules: { [LAYER_RULE]: ['error', { zones }] } }]
  for (const layer of LAYERS.filter((l) => l.types)) {
    blocks.push({ files: layer.paths.map((path) => `${path}/**/*.ts`), rules: { [TYPE_RULE]: typeRule(layer) } })
  }
  return blocks
}

/** Only src/main.ts talks to the runner, statically or with `import()`. */
const RUNNER_PACKAGES = ['@actions/core', '@actions/github']
const RUNNER_ONLY = 'Only src/main.ts talks to the runner; pass values down in the step context.'

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'coverage/']),
  js.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' }
  },
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    plugins: { 'import-x': importX },
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname }
    },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensionAlias: { '.js': ['.ts', '.js'] } })]
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      eqeqeq: 'error',
      'import-x/no-cycle': 'error',
      'max-lines-per-function': ['error', { max: 45, skipBlankLines: true, skipComments: true }],
      'no-restricted-imports': ['error', { paths: RUNNER_PACKAGES.map((name) => ({ name, message: RUNNER_ONLY })) }],
      'no-restricted-syntax': [
        'error',
        { selector: `ImportExpression[source.value=/^@actions\\/(core|github)$/]`, message: RUNNER_ONLY }
      ]
    }
  },
  { files: ['src/main.ts'], rules: { 'no-restricted-imports': 'off', 'no-restricted-syntax': 'off' } },
  ...layerBlocks(),
  {
    files: ['__tests__/**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // The simulator's tests read its loosely typed JSON answers on purpose.
      '@typescript-eslint/no-explicit-any': 'off'
    }
  }
)
