/** unassign: detaches a reserved IP from its droplet and waits. */
import { readIp } from '../api.js'
import { changeIp, notReserved } from '../ip-action.js'
import { dropletLabel, emptyOutputs, ipOutputs, type OperationResult } from '../result.js'
import { checkExpected, stillWhereItWas } from './assign.js'
import type { OperationContext } from './context.js'
import { moveResult } from './move-result.js'

export async function unassign(ctx: OperationContext): Promise<OperationResult> {
  const { client, inputs } = ctx
  const addr = inputs.ip
  if (!addr) throw new Error('unassign needs ip')
  const started = Date.now()
  const before = await readIp(client, addr)
  if (before === null) throw notReserved(addr)
  checkExpected(before, inputs.expectedDropletId)
  const outputs = { ...emptyOutputs(), ...ipOutputs(before) }
  outputs.previous_droplet_id = before.dropletId === null ? '' : String(before.dropletId)
  const from = dropletLabel(before.dropletId, before.dropletName)

  if (before.dropletId === null) {
    client.log.info(`${addr.text} is assigned to no droplet; nothing to do`)
    return {
      outputs,
      summary: {
        title: 'Reserved IP: unassign (no change)',
        tables: [{ header: ['IP', 'Droplet', 'Region'], rows: [[addr.text, 'none', before.region]] }],
        notes: ['The IP was already unassigned; no request that changes anything was sent.']
      }
    }
  }

  client.log.info(`Unassigning ${addr.text} from droplet ${from}`)
  const outcome = await changeIp(client, {
    addr,
    request: { type: 'unassign' },
    settled: (ip) => ip.dropletId === null,
    guard: stillWhereItWas(before.dropletId, inputs.expectedDropletId),
    wait: inputs.wait,
    describe: `unassign ${addr.text} from droplet ${before.dropletId}`
  })
  return moveResult({
    title: `Reserved IP unassigned: ${addr.text}`,
    before,
    outcome,
    startedAt: started,
    to: 'none',
    notes: [
      `Reassign with \`operation: assign\`, \`droplet_id: ${before.dropletId}\` (the \`previous_droplet_id\` output).`
    ]
  })
}
