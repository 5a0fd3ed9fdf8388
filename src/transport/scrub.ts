/**
 * Secrets scrubbed where text enters: an error answer's body (an HTML page from a proxy that quotes
 * the Authorization header, a JSON cut short) may hold the token, whole or in part. The transport
 * passes every such text through scrubSecret before it is cut short or quoted, so no fragment of
 * the token reaches an error, the log, an output or the summary. main.ts masks the whole token
 * again where text leaves, as a second wall.
 */

/** The shortest run of a secret's characters, in a row, that counts as a fragment of it. */
export const FRAGMENT_LENGTH = 8

const HIDDEN = '***'

/**
 * The text with the secret, and every run of FRAGMENT_LENGTH or more of its consecutive characters,
 * replaced by `***`. A secret shorter than that is replaced only whole.
 */
export function scrubSecret(text: string, secret: string): string {
  if (secret === '' || text === '') return text
  if (secret.length < FRAGMENT_LENGTH) return text.split(secret).join(HIDDEN)
  const windows = new Set<string>()
  for (let i = 0; i + FRAGMENT_LENGTH <= secret.length; i++) windows.add(secret.slice(i, i + FRAGMENT_LENGTH))
  // Every run of the secret's characters of the length or more is made of windows that are in it.
  const hidden = new Uint8Array(text.length)
  for (let i = 0; i + FRAGMENT_LENGTH <= text.length; i++) {
    if (windows.has(text.slice(i, i + FRAGMENT_LENGTH))) hidden.fill(1, i, i + FRAGMENT_LENGTH)
  }
  let out = ''
  for (let i = 0; i < text.length; i++) {
    if (!hidden[i]) out += text[i]
    else if (i === 0 || !hidden[i - 1]) out += HIDDEN
  }
  return out
}

/** scrubSecret for each of several secrets (the token and its fallbacks); secrets under 4 characters are left alone. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length >= 4).reduce((out, secret) => scrubSecret(out, secret), text)
}
