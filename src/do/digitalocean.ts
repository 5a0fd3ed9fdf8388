/**
 * DigitalOcean's API as small services, one per resource, in the manner of godo: each lives for the
 * step on the one HTTP client, and each call takes the context it runs in (`ips.get(ctx, addr)`),
 * so a narrower deadline is a new context, never a new client.
 */
import type { ApiClient } from '../transport/http.js'
import type { RateBudget } from '../transport/rate-budget.js'
import { ActionsService } from './actions.js'
import { DnsService } from './dns.js'
import { DropletsService } from './droplets.js'
import { IpsService } from './ips.js'

export interface DigitalOcean {
  /** The reserved addresses: get, list, create, delete. */
  readonly ips: IpsService
  /** Their actions: start (assign, unassign), get, inProgress, history. */
  readonly actions: ActionsService
  /** The droplets: get, resolve a selector, withRegion, withNetworks. */
  readonly droplets: DropletsService
  /** DNS: zones, records, addressRecords. */
  readonly dns: DnsService
  /** The account's rate budget, as the client's answers show it (for pacing polls). */
  readonly rateBudget: RateBudget
}

export function digitalOcean(http: ApiClient): DigitalOcean {
  return {
    ips: new IpsService(http),
    actions: new ActionsService(http),
    droplets: new DropletsService(http),
    dns: new DnsService(http),
    rateBudget: http.rateBudget
  }
}
