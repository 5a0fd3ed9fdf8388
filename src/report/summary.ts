/**
 * The step summary: a markdown rendering of what an operation did. Every piece goes through
 * neutral.ts, so a string from the API can bring no HTML, image or link into it, nor break a table;
 * the markdown the operations write themselves (backticks, `**`) still renders. The links are the
 * summary's own: each address and droplet to its page in DigitalOcean's control panel, and the
 * workflow run.
 */
import type { Cell } from './cells.js'
import { dropletPage, reservedIpsPage, type SummaryLinks } from './links.js'
import { codeSpan, markdownText, oneLine, tableCell } from './neutral.js'
import type { Summary, SummaryTable } from './result.js'

/** The most columns a table has (the tests hold every report to it): more, and cells wrap in the middle of words. */
export const MAX_COLUMNS = 6

const link = (text: string, url: string | undefined): string => (url ? `[${text}](${url})` : text)

function cellMarkdown(cell: Cell, links: SummaryLinks): string {
  if (typeof cell === 'string') return tableCell(cell)
  const panel = links.controlPanel
  if ('address' in cell) {
    const address = link(codeSpan(oneLine(cell.address)), panel && reservedIpsPage(panel))
    return cell.after ? `${address} ${tableCell(cell.after)}` : address
  }
  // The name alone, linked to the droplet's page (which shows its id): an id beside every name
  // widens the table until names wrap in the middle.
  return link(tableCell(cell.name || String(cell.dropletId)), panel && dropletPage(panel, cell.dropletId))
}

function tableLines(table: SummaryTable, links: SummaryLinks): string[] {
  const lines: string[] = []
  if (table.caption) lines.push(`**${markdownText(oneLine(table.caption))}**`, '')
  lines.push(`| ${table.header.map(tableCell).join(' | ')} |`)
  lines.push(`| ${table.header.map(() => '---').join(' | ')} |`)
  for (const row of table.rows) lines.push(`| ${row.map((c) => cellMarkdown(c, links)).join(' | ')} |`)
  lines.push('')
  return lines
}

/** The last line: the workflow run and the control panel's reserved IPs, when known. */
function footer(links: SummaryLinks): string[] {
  const parts: string[] = []
  if (links.runUrl) parts.push(link('Workflow run', links.runUrl))
  if (links.controlPanel)
    parts.push(link('Reserved IPs in the DigitalOcean control panel', reservedIpsPage(links.controlPanel)))
  return parts.length > 0 ? [parts.join(' · '), ''] : []
}

export function renderSummary(summary: Summary, links: SummaryLinks = {}): string {
  const lines: string[] = [`### ${markdownText(oneLine(summary.title))}`, '']
  for (const table of summary.tables) lines.push(...tableLines(table, links))
  for (const note of summary.notes) lines.push(markdownText(oneLine(note)), '')
  lines.push(...footer(links))
  return `${lines.join('\n').trimEnd()}\n`
}
