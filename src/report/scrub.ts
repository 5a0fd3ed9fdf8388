/**
 * The last wall before anything is shown: every secret, and any FRAGMENT_CHARS or more of its
 * characters in a row, is replaced by *** in a message, an output or the summary. (An error page
 * that quotes the Authorization header and is cut short holds a fragment, not the whole token.)
 */
export const FRAGMENT_CHARS = 8

/** The text with every run of FRAGMENT_CHARS or more characters of a secret replaced by ***. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  const hidden = new Array<boolean>(text.length).fill(false)
  for (const secret of secrets) {
    if (secret.length < 4) continue
    // A short secret is hidden whole; a longer one wherever FRAGMENT_CHARS of it appear in a row.
    const size = Math.min(secret.length, FRAGMENT_CHARS)
    for (let i = 0; i + size <= secret.length; i++) markAll(text, secret.slice(i, i + size), hidden)
  }
  let out = ''
  for (let i = 0; i < text.length; i++) {
    if (!hidden[i]) out += text[i]
    else if (i === 0 || !hidden[i - 1]) out += '***'
  }
  return out
}

function markAll(text: string, piece: string, hidden: boolean[]): void {
  for (let at = text.indexOf(piece); at !== -1; at = text.indexOf(piece, at + 1)) {
    hidden.fill(true, at, at + piece.length)
  }
}
