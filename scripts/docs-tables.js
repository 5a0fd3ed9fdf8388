// Writes the README's input and output tables from action.yml, the one source of their
// descriptions, between the marker comments `<!-- inputs:start -->` … `<!-- inputs:end -->` and
// `<!-- outputs:start -->` … `<!-- outputs:end -->`.
//
//   npm run docs            rewrites README.md
//   npm run docs -- --check exits 1, changing nothing, when README.md's tables are not what action.yml makes
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/** @typedef {{ inputs: Record<string, { description: string, default?: string }>, outputs: Record<string, { description: string }> }} ActionMetadata */

/** A table cell: one line, pipes escaped. @param {string} text */
const cell = (text) => text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|')

/** @param {string} value */
const defaultCell = (value) => (value === '' ? "''" : `\`${value}\``)

/**
 * The inputs table: name, default, description. Prettier leaves it unpadded (prettier-ignore).
 * @param {ActionMetadata} action
 */
export function inputsTable(action) {
  const rows = Object.entries(action.inputs).map(
    ([name, input]) => `| \`${name}\` | ${defaultCell(input.default ?? '')} | ${cell(input.description)} |`
  )
  return ['| input | default | description |', '| --- | --- | --- |', ...rows].join('\n')
}

/** @param {ActionMetadata} action */
export function outputsTable(action) {
  const rows = Object.entries(action.outputs).map(([name, output]) => `| \`${name}\` | ${cell(output.description)} |`)
  return ['| output | value |', '| --- | --- |', ...rows].join('\n')
}

/**
 * The text between `<!-- name:start -->` and `<!-- name:end -->` replaced by the table, inside
 * prettier-ignore markers so that the formatter does not pad it.
 * @param {string} markdown
 * @param {string} name
 * @param {string} table
 */
function between(markdown, name, table) {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const from = markdown.indexOf(start)
  const to = markdown.indexOf(end)
  if (from === -1 || to < from) throw new Error(`README.md has no '${start}' … '${end}' markers`)
  const body = `\n<!-- made from action.yml by npm run docs -->\n<!-- prettier-ignore-start -->\n${table}\n<!-- prettier-ignore-end -->\n`
  return markdown.slice(0, from + start.length) + body + markdown.slice(to)
}

/**
 * The README with its tables made from action.yml.
 * @param {string} readme
 * @param {string} actionYml
 */
export function withTables(readme, actionYml) {
  const action = /** @type {ActionMetadata} */ (parse(actionYml))
  return between(between(readme, 'inputs', inputsTable(action)), 'outputs', outputsTable(action))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const readme = readFileSync(`${root}README.md`, 'utf8')
  const made = withTables(readme, readFileSync(`${root}action.yml`, 'utf8'))
  if (process.argv.includes('--check')) {
    if (made !== readme) {
      console.error('README.md: the input and output tables are not what action.yml makes: run npm run docs')
      process.exit(1)
    }
  } else if (made !== readme) {
    writeFileSync(`${root}README.md`, made)
    console.log('README.md: input and output tables written from action.yml')
  }
}
