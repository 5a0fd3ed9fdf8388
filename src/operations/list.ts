/** list: every reserved IP of the account, across all pages, of one or both families. */
import type { IpVersion } from '../inputs/address.js'
import type { IpRecord } from '../do/ips.js'
import type { EngineContext } from '../engine/step.js'
import { emptyOutputs, listEntry, type OperationResult } from '../report/result.js'
import type { ListInputs } from '../inputs/inputs.js'
import type { OperationContext } from './operation.js'
import { addressCell, dropletCell } from '../report/cells.js'

/** Lists the families asked for (both at once when no version is given), filtered by region. */
async function listFiltered(
  ctx: EngineContext,
  version: IpVersion | undefined,
  region: string | undefined
): Promise<IpRecord[]> {
  const families: IpVersion[] = version ? [version] : [4, 6]
  const lists = await Promise.all(families.map((v) => ctx.api.ips.list(ctx, v)))
  return lists.flat().filter((r) => !region || r.region === region)
}

export async function list(ctx: OperationContext<ListInputs>): Promise<OperationResult> {
  const { engine, inputs } = ctx
  const records = await listFiltered(engine, inputs.ipVersion, inputs.region)
  const outputs = emptyOutputs()
  outputs.ips = JSON.stringify(records.map(listEntry))
  outputs.count = String(records.length)
  const scope = `${inputs.ipVersion ? `IPv${inputs.ipVersion}` : 'IPv4 and IPv6'}${inputs.region ? ` in ${inputs.region}` : ''}`
  engine.log.info(
    `${records.length} reserved IPs (${scope}); ${records.filter((r) => r.dropletId === null).length} assigned to no droplet`
  )
  const shown = records.slice(0, 500)
  return {
    outputs,
    summary: {
      title: `Reserved IPs: ${records.length} (${scope})`,
      tables: [
        {
          header: ['Address', 'Version', 'Region', 'Droplet'],
          rows: shown.map((r) => [
            addressCell(r.ip),
            `IPv${r.version}`,
            r.region,
            dropletCell(r.dropletId, r.dropletName)
          ])
        }
      ],
      notes:
        records.length > shown.length
          ? [`First ${shown.length} of ${records.length} shown; the ips output has them all.`]
          : []
    }
  }
}
