/**
 * The precheck: before any address moves, the target droplet is probed on its own addresses with the
 * rules of verify_url (precheck_url, verify_contains, verify_host), within verify_timeout. A droplet
 * that does not pass never gets the production address.
 *
 * `{ip}` in precheck_url becomes the droplet's public address of each family being moved (IPv6 in
 * brackets), `{private_ip}` its VPC IPv4 (for runners inside the VPC). What the precheck cannot see:
 * a service that answers only on the anchor IP (the address on which a reserved IPv4's traffic
 * arrives), and a reserved IPv6 the droplet has not configured; verification after the move does.
 */
import type { IpVersion } from '../inputs/address.js'
import type { PrecheckInputs } from '../inputs/inputs.js'
import type { DropletNetworks, DropletRef } from '../do/droplets.js'
import type { EngineContext } from './step.js'
import { dropletLabel } from '../words.js'
import { probeSpec, probeUntilPassed, urlHost, type ProbeResult } from './verify.js'

export interface PrecheckRequest {
  readonly rules: PrecheckInputs
  /** The target droplet, with its networks read. */
  readonly target: DropletRef
  /** The families of the addresses being moved (those already on the target are not). */
  readonly families: readonly IpVersion[]
  readonly userAgent: string
}

export interface PrecheckResult {
  readonly passed: boolean
  /** The probe result for each family moved (families whose URLs are the same share one). */
  readonly byFamily: ReadonlyMap<IpVersion, ProbeResult>
  /** Why the droplet could not be probed at all (it lacks an address the URL needs). */
  readonly problem?: string
}

/** The precheck URL for each family, or why there is none: the droplet lacks an address the template needs. */
export function precheckUrls(
  template: string,
  networks: DropletNetworks,
  families: readonly IpVersion[]
): { urls: Map<IpVersion, string> } | { problem: string } {
  const urls = new Map<IpVersion, string>()
  for (const family of families) {
    const own = family === 4 ? networks.publicV4 : networks.publicV6
    if (template.includes('{ip}') && !own) return { problem: `it has no public IPv${family} address in its networks` }
    if (template.includes('{private_ip}') && !networks.privateV4)
      return { problem: 'it has no private (VPC) IPv4 address in its networks, for {private_ip}' }
    let url = own ? template.split('{ip}').join(urlHost(own)) : template
    if (networks.privateV4) url = url.split('{private_ip}').join(networks.privateV4.text)
    urls.set(family, url)
  }
  return { urls }
}

/** Probes the droplet's own addresses (every URL at once) until each passes or verify_timeout runs out. */
export async function precheck(ctx: EngineContext, req: PrecheckRequest): Promise<PrecheckResult> {
  const planned = precheckUrls(req.rules.urlTemplate, req.target.networks ?? {}, req.families)
  if ('problem' in planned) return { passed: false, byFamily: new Map(), problem: planned.problem }
  const spec = probeSpec(req.rules, ctx, req.userAgent)
  const byUrl = new Map<string, Promise<ProbeResult>>()
  for (const url of planned.urls.values()) if (!byUrl.has(url)) byUrl.set(url, probeUntilPassed(spec, url))
  const label = dropletLabel(req.target.id, req.target.name)
  ctx.log.info(
    `Precheck: probing droplet ${label} at ${[...byUrl.keys()].join(', ')} for up to ${req.rules.timeoutMs / 1000} s, before anything moves`
  )
  const byFamily = new Map<IpVersion, ProbeResult>()
  for (const [family, url] of planned.urls) byFamily.set(family, await (byUrl.get(url) as Promise<ProbeResult>))
  return { passed: [...byFamily.values()].every((r) => r.passed), byFamily }
}

/** Why the cutover stops before the move, from a precheck that did not pass. */
export function precheckFailure(target: DropletRef, result: PrecheckResult): string {
  const label = dropletLabel(target.id, target.name)
  if (result.problem) return `precheck_url: droplet ${label} cannot be probed: ${result.problem}`
  const failed = [...new Set(result.byFamily.values())].filter((r) => !r.passed)
  const what = failed.map((r) => `${r.last} (${r.url}, ${r.probes} probe${r.probes === 1 ? '' : 's'})`)
  return `Precheck of droplet ${label} failed, so no address was moved to it: ${what.join('; ')}`
}
