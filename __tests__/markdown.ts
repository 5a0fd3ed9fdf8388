/** Reading markdown the way the README tests need: the rows of a table under a heading. */

/** Rows of the first markdown table under a `## heading`: each row's cells, without the header. */
export function tableUnder(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n## ${heading}\n`)
  if (start === -1) return []
  const rest = markdown.slice(start + heading.length + 5)
  const end = rest.search(/\n## /)
  const section = end === -1 ? rest : rest.slice(0, end)
  const lines = section.split('\n')
  const first = lines.findIndex((l) => l.startsWith('|'))
  if (first === -1) return []
  const rows: string[][] = []
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim())
    )
  }
  return rows
}

/** The `## ` headings of a markdown text, in order (not those inside fenced code blocks). */
export function headings(markdown: string): string[] {
  const out: string[] = []
  let fenced = false
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    else if (!fenced && line.startsWith('## ')) out.push(line.slice(3).trim())
  }
  return out
}
