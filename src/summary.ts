/** The step summary: a markdown rendering of what an operation did. */
import type { Summary } from './result.js'

/** Escapes a table cell: pipes and line breaks would break the table. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ') || ' '
}

export function renderSummary(summary: Summary): string {
  const lines: string[] = [`### ${summary.title}`, '']
  for (const table of summary.tables) {
    if (table.caption) lines.push(`**${table.caption}**`, '')
    lines.push(`| ${table.header.map(cell).join(' | ')} |`)
    lines.push(`| ${table.header.map(() => '---').join(' | ')} |`)
    for (const row of table.rows) lines.push(`| ${row.map(cell).join(' | ')} |`)
    lines.push('')
  }
  for (const note of summary.notes) lines.push(note, '')
  return `${lines.join('\n').trimEnd()}\n`
}
