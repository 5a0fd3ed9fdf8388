/** get: reads one reserved IP; changes nothing. */
import { notReserved } from '../engine/ip-read.js'
import { dropletLabel } from '../words.js'
import { emptyOutputs, ipOutputs, type OperationResult } from '../report/result.js'
import { addressCell, dropletCell } from '../report/cells.js'
import type { GetInputs } from '../inputs/inputs.js'
import type { OperationContext } from './operation.js'

export async function get(ctx: OperationContext<GetInputs>): Promise<OperationResult> {
  const { engine, inputs } = ctx
  const addr = inputs.ip
  const record = await engine.api.ips.get(engine, addr)
  if (record === null) throw notReserved(addr)
  const outputs = { ...emptyOutputs(), ...ipOutputs(record) }
  engine.log.info(
    `${record.ip} (IPv${record.version}, ${record.region}) is ${record.dropletId === null ? 'assigned to no droplet' : `assigned to droplet ${dropletLabel(record.dropletId, record.dropletName)}`}`
  )
  return {
    outputs,
    summary: {
      title: `Reserved IP: ${record.ip}`,
      tables: [
        {
          header: ['Address', 'Version', 'Region', 'Droplet', 'Locked'],
          rows: [
            [
              addressCell(record.ip),
              `IPv${record.version}`,
              record.region,
              dropletCell(record.dropletId, record.dropletName),
              record.locked ? 'yes' : 'no'
            ]
          ]
        }
      ],
      notes: []
    }
  }
}
