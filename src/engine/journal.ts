/**
 * What the step has done so far, kept as it goes, so that a cancelled step can report it even when
 * the operation has not returned in time: each address it may have changed (where it was before,
 * the actions started on it, those still under way, where it was last read), an address a create
 * reserved, and a prune's progress.
 */
import type { Address } from '../inputs/address.js'
import type { IpRecord } from '../do/ips.js'
import type { MoveObserver } from './outcome.js'
import type { PruneProgress } from './prune.js'

export interface AddressEntry {
  readonly addr: Address
  /** Where the address was before this step changed it (its first change, not a roll-back's). */
  readonly before?: IpRecord
  /** Where the step's first change was to take it (null: no droplet). */
  readonly target?: number | null
  /** Every action this step started or adopted on it, in order. */
  readonly actions: readonly number[]
  /** Those not known to have ended. */
  readonly underWay: readonly number[]
  /** How the last action to end ended. */
  readonly lastEnded?: 'completed' | 'errored'
  /** The latest read after a change request; undefined while none was made. */
  readonly last?: IpRecord
  /** A roll-back has begun moving it back. */
  readonly rollingBack: boolean
}

export interface Reserved {
  readonly record: IpRecord
  readonly actionId?: number
}

export class Journal {
  private readonly entries = new Map<string, AddressEntry>()
  private readonly releasing = new Map<string, IpRecord>()
  private reservedIp: Reserved | undefined
  /** A create was about to be sent (its answer may never come); undefined while none was. */
  creating: string | undefined
  /** A prune's progress, kept as it goes, so that a cancelled step reports what it released. */
  prune: PruneProgress | undefined
  /** The operation being run, for the title of a partial report. */
  operation = ''

  /** The addresses the step may have changed, in the order first recorded. */
  get addresses(): readonly AddressEntry[] {
    return [...this.entries.values()]
  }

  get reserved(): Reserved | undefined {
    return this.reservedIp
  }

  /** The releases this step sent (each before it was sent): each may have gone through. */
  get releases(): readonly IpRecord[] {
    return [...this.releasing.values()]
  }

  /** A release is about to be sent (its answer may never come). */
  noteRelease(record: IpRecord): void {
    this.releasing.set(record.ip, record)
  }

  /** A create is about to be sent: `what` says what it reserves (its answer may never come); undefined: answered, nothing reserved. */
  noteCreating(what: string | undefined): void {
    this.creating = what
  }

  /** A create was accepted: the new address exists (and is billed) whatever happens next. */
  noteReserved(reserved: Reserved): void {
    this.reservedIp = reserved
  }

  /** An observer that records one address's move; `rollingBack` for a roll-back's. */
  observe(addr: Address, rollingBack = false): MoveObserver {
    const update = (change: (e: AddressEntry) => Partial<AddressEntry>): void => {
      const entry = this.entries.get(addr.text) ?? { addr, actions: [], underWay: [], rollingBack: false }
      this.entries.set(addr.text, { ...entry, ...change(entry) })
    }
    return {
      sending: (before, target) =>
        update((e) => (e.before || rollingBack ? { rollingBack: e.rollingBack || rollingBack } : { before, target })),
      started: (id) =>
        update((e) => ({
          actions: e.actions.includes(id) ? e.actions : [...e.actions, id],
          underWay: e.underWay.includes(id) ? e.underWay : [...e.underWay, id]
        })),
      ended: (id, status) => update((e) => ({ underWay: e.underWay.filter((u) => u !== id), lastEnded: status })),
      read: (record) => update(() => ({ last: record })),
      unchanged: () => {
        const entry = this.entries.get(addr.text)
        if (entry && entry.actions.length === 0 && !entry.last) this.entries.delete(addr.text)
      }
    }
  }
}

/** An observer that records nothing. */
export const UNOBSERVED: MoveObserver = {
  sending: () => undefined,
  started: () => undefined,
  ended: () => undefined,
  read: () => undefined,
  unchanged: () => undefined
}
