/** Reading markdown the way the tests need: tables under a heading, and the HTML that GitHub renders from a summary. */

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

/** The text a reader sees in rendered HTML: tags removed, entities decoded once, as a browser shows them. */
export function visibleText(html: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
  return html.replace(/<[^>]*>/g, '').replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16))
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)))
    return named[name.toLowerCase()] ?? whole
  })
}

/** The number of columns of each table in rendered HTML (the header cells of its first row). */
export function columnCounts(html: string): number[] {
  return [...html.matchAll(/<thead>\s*<tr>([\s\S]*?)<\/tr>/g)].map((m) => (m[1]!.match(/<th[\s>]/g) ?? []).length)
}

/** The targets of the links in rendered HTML. */
export function linkTargets(html: string): string[] {
  return [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]!)
}

/** The HTML tags in rendered HTML, by name. */
export function tagNames(html: string): string[] {
  return [...html.matchAll(/<([a-z][a-z0-9]*)\b/gi)].map((m) => m[1]!.toLowerCase())
}

/** The visible text of each cell of each table row in rendered HTML (header rows included). */
export function tableRows(html: string): string[][] {
  return [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => visibleText(cell[1]!).trim())
  )
}
