/** assign: moves a reserved IP to the target droplet and waits for DigitalOcean to finish. */
import { readIp, type IpRecord } from '../api.js'
import { resolveDroplet } from '../droplets.js'
import { changeIp, notReserved, OperationError } from '../ip-action.js'
import { dropletLabel, emptyOutputs, ipOutputs, type OperationResult } from '../result.js'
import type { OperationContext } from './context.js'
import { moveResult } from './move-result.js'

/** Fails when expected_droplet_id is set and the IP is held by another droplet. */
export function checkExpected(record: IpRecord, expected: number | null | undefined): void {
  if (expected === undefined || record.dropletId === expected) return
  throw new OperationError(
    `expected_droplet_id: ${record.ip} is held by ${record.dropletId === null ? 'no droplet' : `droplet ${record.dropletId}`}, not ${expected === null ? 'none' : expected}; someone else may have moved it. Nothing was changed.`
  )
}

/** During retries: the IP must still be where it was when the step began. */
export function stillWhereItWas(previous: number | null, expected: number | null | undefined) {
  return (now: IpRecord): void => {
    if (expected === undefined || now.dropletId === previous) return
    throw new OperationError(
      `expected_droplet_id: ${now.ip} was moved to ${now.dropletId === null ? 'no droplet' : `droplet ${now.dropletId}`} by someone else while this step waited; stopping without changing it.`
    )
  }
}

export async function assign(ctx: OperationContext): Promise<OperationResult> {
  const { client, inputs } = ctx
  const addr = inputs.ip
  const selector = inputs.droplet
  if (!addr || !selector) throw new Error('assign needs ip and a droplet')
  const started = Date.now()

  const target = await resolveDroplet(client, selector)
  const before = await readIp(client, addr)
  if (before === null) throw notReserved(addr)
  checkExpected(before, inputs.expectedDropletId)
  if (target.region && before.region && target.region !== before.region) {
    throw new OperationError(
      `Droplet ${dropletLabel(target.id, target.name)} is in region ${target.region}, but ${addr.text} is reserved in ${before.region}: a reserved IP can only be assigned to a droplet in its own region. Nothing was changed.`
    )
  }

  const outputs = { ...emptyOutputs(), ...ipOutputs(before) }
  outputs.previous_droplet_id = before.dropletId === null ? '' : String(before.dropletId)
  const from = dropletLabel(before.dropletId, before.dropletName)
  const to = dropletLabel(target.id, target.name)

  if (before.dropletId === target.id) {
    client.log.info(`${addr.text} is already assigned to droplet ${to}; nothing to do`)
    return {
      outputs,
      summary: {
        title: 'Reserved IP: assign (no change)',
        tables: [{ header: ['IP', 'Droplet', 'Region'], rows: [[addr.text, to, before.region]] }],
        notes: ['The IP was already assigned to this droplet; no request that changes anything was sent.']
      }
    }
  }

  client.log.info(`Assigning ${addr.text} (region ${before.region || 'unknown'}) from droplet ${from} to droplet ${to}`)
  const outcome = await changeIp(client, {
    addr,
    request: { type: 'assign', dropletId: target.id },
    settled: (ip) => ip.dropletId === target.id,
    guard: stillWhereItWas(before.dropletId, inputs.expectedDropletId),
    wait: inputs.wait,
    describe: `assign ${addr.text} to droplet ${target.id}`
  })
  return moveResult({
    title: `Reserved IP cutover: ${addr.text}`,
    before,
    outcome,
    startedAt: started,
    to,
    notes:
      before.dropletId === null
        ? []
        : [
            `Roll back with \`operation: assign\`, \`droplet_id: ${before.dropletId}\` (the \`previous_droplet_id\` output).`
          ]
  })
}
