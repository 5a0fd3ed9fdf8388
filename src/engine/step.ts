/**
 * What every engine function takes: the context of this call (the step's, or a narrower one made
 * with `{ ...ctx, deadline }`) and DigitalOcean's services, which live for the whole step. The
 * services take the context on each call: `ctx.api.ips.get(ctx, addr)`.
 */
import type { DigitalOcean } from '../do/digitalocean.js'
import type { RequestContext } from '../transport/http.js'

export type EngineContext = RequestContext & { readonly api: DigitalOcean }
