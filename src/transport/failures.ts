/**
 * How the transport says what went wrong: a failed connection in a few words, the causes of many
 * failed attempts each said once with its count, and the step's timeout named as the input it is.
 */
import { secs } from '../words.js'

/** "the step's timeout ran out (timeout: 300 s)": the input named with its value, when it is known. */
export function timeoutRanOut(timeoutMs: number | undefined): string {
  if (timeoutMs === undefined) return "the step's timeout ran out"
  const value = Number.isInteger(timeoutMs / 1000) ? `${timeoutMs / 1000} s` : secs(timeoutMs)
  return `the step's timeout ran out (timeout: ${value})`
}

/** A few words for the system's error codes of a failed connection. */
const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable'
}

/**
 * Why a connection failed: a few words, then the system's own detail without the request's URL,
 * as in "connection refused (connect ECONNREFUSED 127.0.0.1:443)".
 */
export function connectionFailure(error: unknown): string {
  const e = (error ?? {}) as { code?: unknown; message?: unknown }
  const message = typeof e.message === 'string' ? e.message : String(error)
  // node-fetch says "request to <url> failed, reason: <the system's error>".
  const detail = (/reason: (.*)$/s.exec(message)?.[1] ?? message).replace(/https?:\/\/\S+/g, 'the API').trim()
  const code = typeof e.code === 'string' ? e.code : /\b(E[A-Z_]{3,})\b/.exec(detail)?.[1]
  const words = (code !== undefined ? CONNECTION_CODES[code] : undefined) ?? 'connection failed'
  return detail === '' ? words : `${words} (${detail})`
}

/**
 * The attempts and their causes, each said once: "10 attempts in 41.0 s, each: connection refused
 * (…)" when they were all the same, else each distinct cause with its count, in the order they
 * first came: "10 attempts in 41.0 s: 6 × HTTP 503, 4 × connection refused (…)".
 */
export function attemptsText(causes: readonly string[], elapsedMs: number): string {
  const n = causes.length
  const counts = new Map<string, number>()
  for (const cause of causes) counts.set(cause, (counts.get(cause) ?? 0) + 1)
  const head = `${n} attempt${n === 1 ? '' : 's'} in ${secs(elapsedMs)}`
  if (counts.size === 0) return head
  if (counts.size === 1) return `${head}${n === 1 ? ': ' : ', each: '}${causes[0]}`
  return `${head}: ${[...counts].map(([cause, k]) => `${k} × ${cause}`).join(', ')}`
}
