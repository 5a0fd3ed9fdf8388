/**
 * Crash traces of the bundle name lines of src/: each frame in a dist/ file is looked up in that
 * file's source map (dist/*.js.map, decoded by node:module's SourceMap). A map is read only when a
 * trace is first written, so a run that does not fail pays nothing at start-up. Frames the maps do
 * not cover are written as Node writes them.
 */
import { readFileSync } from 'node:fs'
import { SourceMap, type SourceMapPayload } from 'node:module'

const maps = new Map<string, SourceMap | undefined>()

/** The source map of a file URL of the bundle, or undefined when there is none. */
function mapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    let map: SourceMap | undefined
    try {
      map = new SourceMap(JSON.parse(readFileSync(new URL(`${file}.map`), 'utf8')) as SourceMapPayload)
    } catch {
      map = undefined
    }
    maps.set(file, map)
  }
  return maps.get(file)
}

/** A frame as Node writes it (V8's CallSite has its own toString, which the Node types leave out). */
function frameText(site: NodeJS.CallSite): string {
  return (site as NodeJS.CallSite & { toString(): string }).toString()
}

/** One frame as Node writes it, with the bundle position replaced by the source position. */
export function mappedFrame(site: NodeJS.CallSite): string {
  const text = frameText(site)
  const file = site.getFileName()
  const line = site.getLineNumber()
  const column = site.getColumnNumber()
  if (!file?.startsWith('file:') || !file.endsWith('.js') || line === null || column === null) return text
  const entry = mapOf(file)?.findEntry(line - 1, column - 1)
  if (!entry || !('originalSource' in entry) || entry.generatedLine !== line - 1) return text
  const source = new URL(entry.originalSource, file).pathname
  return text.replace(`${file}:${line}:${column}`, `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`)
}

/** Installs the mapping for every trace written from now on (call first, from the entry point). */
export function mapStackTraces(): void {
  Error.prepareStackTrace = (error: Error, sites: NodeJS.CallSite[]): string => {
    const head = Error.prototype.toString.call(error)
    try {
      return [head, ...sites.map((site) => `    at ${mappedFrame(site)}`)].join('\n')
    } catch {
      return [head, ...sites.map((site) => `    at ${frameText(site)}`)].join('\n')
    }
  }
}
