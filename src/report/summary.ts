/**
 * The step summary: a markdown rendering of what an operation did. Every piece goes through
 * neutral.ts, so a string from the API can bring no HTML, image or link into it, nor break a table;
 * the markdown the operations write themselves (backticks, `**`) still renders.
 */
import { markdownText, oneLine, tableCell } from './neutral.js'
import type { Summary } from './result.js'

export function renderSummary(summary: Summary): string {
  const lines: string[] = [`### ${markdownText(oneLine(summary.title))}`, '']
  for (const table of summary.tables) {
    if (table.caption) lines.push(`**${markdownText(oneLine(table.caption))}**`, '')
    lines.push(`| ${table.header.map(tableCell).join(' | ')} |`)
    lines.push(`| ${table.header.map(() => '---').join(' | ')} |`)
    for (const row of table.rows) lines.push(`| ${row.map(tableCell).join(' | ')} |`)
    lines.push('')
  }
  for (const note of summary.notes) lines.push(markdownText(oneLine(note)), '')
  return `${lines.join('\n').trimEnd()}\n`
}
