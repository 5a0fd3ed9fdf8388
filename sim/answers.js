/**
 * Answering an API request: JSON bodies with the rate headers, DigitalOcean's error bodies, pages of
 * a list, and what the faults that break an answer do to it (dropped, hung, cut, empty, not JSON).
 * Every answer is checked against the OpenAPI description unless it was broken on purpose.
 */

/**
 * One request being answered.
 * @typedef {object} RequestContext
 * @property {import('node:http').IncomingMessage} req
 * @property {import('node:http').ServerResponse} res
 * @property {import('./server.js').SimRequest} record
 * @property {string} method
 * @property {string} path
 * @property {string} rawPath
 * @property {Record<string, string>} query
 * @property {any} body
 * @property {string} requestId
 * @property {boolean} operationKnown
 * @property {boolean} done
 * @property {boolean} dropAfter
 * @property {boolean} hangAfter
 * @property {import('./faults.js').Fault | undefined} bodyFault
 * @property {boolean} quirky
 * @property {Record<string, string> | undefined} rate
 */

const NOT_FOUND_MESSAGE = 'The resource you were accessing could not be found.'
/** The 'pending-event' fault's message by default: it names neither the droplet nor the address. */
export const PENDING_MESSAGE = 'The droplet/IP has a pending event. Please try again later.'
/** DigitalOcean's 422 when the droplet is busy with an event of its own (setDropletBusy). */
export const DROPLET_PENDING_MESSAGE = 'Droplet already has a pending event.'
/** DigitalOcean's 422 when the address is busy (an action on it, lock()); 'floating IP' for IPv4 as it says. */
export const IP_PENDING_MESSAGES = {
  4: 'The floating IP already has a pending event.',
  6: 'The reserved IPv6 already has a pending event.'
}
const NOT_JSON_BODY = '<html><head><title>502 Bad Gateway</title></head><body>upstream error</body></html>'

/** @type {Record<number, string>} */
export const ERROR_IDS = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  500: 'server_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout'
}

/**
 * The body an answer with a body fault carries instead of `payload` (the intact JSON text, or undefined).
 * @param {import('./faults.js').Fault} fault
 * @param {string | undefined} payload
 */
function brokenPayload(fault, payload) {
  if (fault.kind === 'empty-body') return ''
  if (fault.kind === 'not-json') return fault.text ?? NOT_JSON_BODY
  const text = payload ?? '{}'
  return text.slice(0, Math.max(1, Math.floor(text.length / 2)))
}

/**
 * Sends the answer (once), as the request's fault allows, and checks it against the description.
 * @param {import('./state.js').State} state
 * @param {RequestContext} ctx
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [extraHeaders]
 * @param {unknown} [validateAs] what is checked instead of body (an undocumented status shown as documented)
 */
export function send(state, ctx, status, body, extraHeaders = {}, validateAs = body) {
  if (ctx.done) return
  ctx.done = true
  if (ctx.dropAfter || ctx.hangAfter) {
    // Applied, and never answered: a hung one's socket is destroyed by close().
    ctx.record.status = 0
    if (ctx.dropAfter) ctx.req.socket.destroy()
    return
  }
  /** @type {Record<string, string>} */
  const headers = {
    ...(ctx.rate ?? state.rate.headers(state.time.now())),
    'x-request-id': ctx.requestId,
    ...extraHeaders
  }
  let payload
  if (body !== undefined && status !== 204) payload = JSON.stringify(body)
  const fault = ctx.bodyFault
  if (fault !== undefined) {
    const asked = ('status' in fault ? fault.status : undefined) ?? (fault.kind === 'empty-body' ? 200 : undefined)
    if (asked !== undefined) status = Number(asked)
    payload = brokenPayload(fault, payload)
  }
  if (payload !== undefined) {
    const notJson = fault?.kind === 'not-json'
    headers['content-type'] = notJson ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8'
    headers['content-length'] = String(Buffer.byteLength(payload))
  }
  ctx.record.status = status
  ctx.res.writeHead(status, headers)
  ctx.res.end(payload)
  // A deliberately broken answer (a body fault, a paging quirk) is no problem of the simulator's own.
  if (state.validator && ctx.operationKnown && !fault && !ctx.quirky) {
    const problems = state.validator.validateResponse({
      method: ctx.method,
      path: ctx.rawPath,
      status,
      body: status === 204 ? undefined : validateAs
    })
    for (const p of problems) state.violations.push(`response to ${ctx.method} ${ctx.path} (${status}): ${p}`)
  }
}

/**
 * An error answer with DigitalOcean's body: { id, message, request_id }.
 * @param {import('./state.js').State} state
 * @param {RequestContext} ctx
 * @param {number} status
 * @param {string} message
 * @param {Record<string, string>} [extraHeaders]
 * @param {string} [id]
 * @param {string} [requestId]
 */
export function fail(
  state,
  ctx,
  status,
  message,
  extraHeaders = {},
  id = ERROR_IDS[status] ?? 'error',
  requestId = ctx.requestId
) {
  ctx.record.message = message
  send(state, ctx, status, { id, message, request_id: requestId }, extraHeaders)
}

/**
 * @param {import('./state.js').State} state
 * @param {RequestContext} ctx
 */
export function notFound(state, ctx) {
  fail(state, ctx, 404, NOT_FOUND_MESSAGE)
}

/**
 * @param {string | undefined} text
 */
export function positiveInt(text) {
  return typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : undefined
}

/**
 * One page of a list as DigitalOcean pages it (page, per_page; links.pages; meta.total), with the
 * quirks a test may ask for (endlessPages, omitTotal).
 * @param {import('./state.js').State} state
 * @param {RequestContext} ctx
 * @param {string} key
 * @param {unknown[]} items
 * @param {string} base
 */
export function paginate(state, ctx, key, items, base) {
  const perPage = Math.min(200, Math.max(1, positiveInt(ctx.query.per_page) ?? state.pageDefault))
  const page = Math.max(1, positiveInt(ctx.query.page) ?? 1)
  const total = items.length
  const last = Math.max(1, Math.ceil(total / perPage))
  // With endlessPages 'repeat', a page past the end repeats the last one.
  const shown = state.endlessPages === 'repeat' ? Math.min(page, last) : page
  const slice = items.slice((shown - 1) * perPage, shown * perPage)
  const href = (/** @type {number} */ n) => {
    const q = new URLSearchParams(ctx.query)
    q.set('page', String(n))
    q.set('per_page', String(perPage))
    return `${state.url}${base}?${q}`
  }
  /** @type {Record<string, string>} */
  const pages = {}
  if (page > 1) {
    pages.first = href(1)
    pages.prev = href(Math.min(page - 1, last))
  }
  if (page < last || state.endlessPages) {
    pages.next = href(page + 1)
    pages.last = href(Math.max(last, state.endlessPages ? page + 1 : last))
  }
  const links = Object.keys(pages).length ? { pages } : {}
  if (state.omitTotal) {
    ctx.quirky = true // meta.total is required by the description: leaving it out is the quirk asked for
    return { [key]: slice, links, meta: {} }
  }
  return { [key]: slice, links, meta: { total } }
}
