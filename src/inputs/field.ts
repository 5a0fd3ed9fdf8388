/** What every input parser shares: the error that names the input, and the plain value types. */

export class InputError extends Error {
  constructor(
    readonly input: string,
    detail: string
  ) {
    super(`Input '${input}': ${detail}`)
    this.name = 'InputError'
  }
}

/** Reads one input by name; returns '' when it is not set. */
export type InputReader = (name: string) => string

export function parseBoolean(name: string, raw: string, fallback: boolean): boolean {
  if (raw === '') return fallback
  const v = raw.toLowerCase()
  if (v === 'true') return true
  if (v === 'false') return false
  throw new InputError(name, `must be true or false, got '${raw}'`)
}

/** Items separated by newlines, commas or spaces. */
export function splitList(raw: string): string[] {
  return raw.split(/[\s,]+/).filter((s) => s !== '')
}
