/**
 * The cells of a summary table: text, or an address or a droplet, which the summary links to its
 * page in DigitalOcean's control panel (summary.ts).
 */

export interface AddressCell {
  readonly address: string
  /** Shown after the address, such as its region. */
  readonly after?: string
}

interface DropletCell {
  readonly dropletId: number
  readonly name?: string
}

export type Cell = string | AddressCell | DropletCell

export const addressCell = (address: string, after?: string): AddressCell => ({ address, after })

/** A droplet by id and name; `none` for no droplet (null), `unknown` when it could not be read (undefined). */
export function dropletCell(id: number | null | undefined, name = ''): Cell {
  if (id === undefined) return 'unknown'
  if (id === null) return 'none'
  return { dropletId: id, name }
}

/** The cell as plain text, a droplet with its id and name (the summary shows the name, linked to the droplet's page). */
export function cellText(cell: Cell): string {
  if (typeof cell === 'string') return cell
  if ('address' in cell) return cell.after ? `${cell.address} ${cell.after}` : cell.address
  return cell.name ? `${cell.dropletId} (${cell.name})` : String(cell.dropletId)
}
