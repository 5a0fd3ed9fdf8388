/**
 * How the step says a duration, a droplet and where an address is, in logs, errors and summaries
 * alike. A shared leaf: every layer may import it, and it imports nothing of src/.
 */

/** A time taken or waited, to a tenth of a second: `2.5 s`. */
export function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

/** A duration as people read it: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function durationText(ms: number): string {
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s} s`
  const min = Math.floor(s / 60)
  if (min < 60) return `${min} min`
  const h = Math.floor(min / 60)
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`
  const d = Math.floor(h / 24)
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`
}

/** A droplet by id and, when known, name: `42 (web-1)`; `none` for no droplet. */
export function dropletLabel(id: number | null, name = ''): string {
  if (id === null) return 'none'
  return name ? `${id} (${name})` : String(id)
}

/** Where an address is (as read; undefined: it could not be read), as the log and messages say it. */
export function where(ip: { readonly dropletId: number | null; readonly dropletName: string } | undefined): string {
  if (!ip) return 'in an unknown state'
  return ip.dropletId === null ? 'assigned to no droplet' : `on droplet ${dropletLabel(ip.dropletId, ip.dropletName)}`
}
