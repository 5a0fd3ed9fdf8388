/**
 * Checks requests and responses against the DigitalOcean OpenAPI excerpt in api/.
 *
 * Paths are matched against the description's templated paths, path and query parameters are
 * checked against their schemas (strings from the URL are turned into integers, numbers and
 * booleans first), JSON bodies are checked with ajv. Schemas are compiled on first use and cached.
 */
import { readFileSync } from 'node:fs'
import AjvModule from 'ajv'
import addFormatsModule from 'ajv-formats'

const Ajv = /** @type {any} */ (AjvModule).default ?? AjvModule
const addFormats = /** @type {any} */ (addFormatsModule).default ?? addFormatsModule

const DEFAULT_SPEC_URL = new URL('../api/digitalocean-reserved-ips.openapi.json', import.meta.url)
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

/** Keywords of OpenAPI 3.0 schemas that are annotations or that JSON Schema does not know. */
const DROPPED_KEYWORDS = new Set([
  'discriminator',
  'example',
  'examples',
  'xml',
  'externalDocs',
  'deprecated',
  'x-codeSamples'
])

/**
 * An OpenAPI 3.0 description with every $ref resolved; its objects are read as plain JSON.
 * @typedef {{ openapi: string, paths: Record<string, Record<string, any>>, [key: string]: unknown }} OpenApiSpec
 */

/**
 * The operation of a method and path: its templated path (e.g. /v2/reserved_ips/{reserved_ip}), path
 * item, operation and path parameters (percent-decoded; undefined for invalid percent-encoding); or,
 * with `methodMissing`, a path that exists without the method.
 * @typedef {{ template: string, pathItem: Record<string, any>, operation: Record<string, any>,
 *     params: Record<string, string | undefined>, methodMissing?: undefined }
 *   | { template: string, pathItem: Record<string, any>, methodMissing: true, operation?: undefined,
 *     params?: undefined }} OperationMatch
 */

/**
 * @typedef {object} Validator
 * @property {(request: { method: string, path: string, query?: Record<string, string | string[] | undefined> | URLSearchParams | string, body?: unknown }) => string[]} validateRequest
 *   Problems with a request; [] when it fits the description.
 * @property {(response: { method: string, path: string, status: number, body?: unknown }) => string[]} validateResponse
 *   Problems with a response; [] when it fits the description.
 * @property {(method: string, path: string) => OperationMatch | undefined} match The operation a method and path belong to, if any.
 */

/** @type {OpenApiSpec | undefined} */
let defaultSpec

/**
 * Reads an OpenAPI description (JSON, every $ref resolved).
 * @param {string | URL} [path] defaults to api/digitalocean-reserved-ips.openapi.json
 * @returns {OpenApiSpec}
 */
function loadSpec(path) {
  if (path === undefined) {
    defaultSpec ??= /** @type {OpenApiSpec} */ (JSON.parse(readFileSync(DEFAULT_SPEC_URL, 'utf8')))
    return defaultSpec
  }
  return JSON.parse(readFileSync(path, 'utf8'))
}

/**
 * Turns an OpenAPI 3.0 schema into one ajv takes: annotations dropped, `nullable` without `type` dropped.
 * @param {any} schema
 * @returns {any}
 */
function toJsonSchema(schema) {
  if (Array.isArray(schema)) return schema.map(toJsonSchema)
  if (schema === null || typeof schema !== 'object') return schema
  /** @type {Record<string, any>} */
  const out = {}
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED_KEYWORDS.has(key)) continue
    if (key === 'properties' && value && typeof value === 'object') {
      // Property names are data, not keywords: keep them all (a property may be called "example").
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub)]))
      continue
    }
    out[key] = toJsonSchema(value)
  }
  if ('nullable' in out && out.type === undefined) delete out.nullable
  // OpenAPI 3.0's boolean exclusiveMinimum/exclusiveMaximum, in the JSON Schema form ajv knows.
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum']
  ]) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag] && typeof out[bound] === 'number') {
        out[flag] = out[bound]
        delete out[bound]
      } else delete out[flag]
    }
  }
  return out
}

/** @param {string} text */
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * Percent-decodes one path segment; undefined when it is not valid percent-encoding.
 * @param {string} segment
 */
function decodeSegment(segment) {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/** @param {unknown} value */
function describeValue(value) {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value)
}

/**
 * Converts a parameter's text to the type its schema asks for; returns { value } or { problem }.
 * @param {string} text
 * @param {any} schema
 * @returns {{ value: unknown, problem?: undefined } | { problem: string, value?: undefined }}
 */
function coerce(text, schema) {
  const type = schema && schema.type
  if (type === 'integer') {
    if (!/^-?\d+$/.test(text)) return { problem: `must be an integer (got '${text}')` }
    return { value: Number(text) }
  }
  if (type === 'number') {
    const n = Number(text)
    if (text.trim() === '' || !Number.isFinite(n)) return { problem: `must be a number (got '${text}')` }
    return { value: n }
  }
  if (type === 'boolean') {
    if (text !== 'true' && text !== 'false') return { problem: `must be true or false (got '${text}')` }
    return { value: text === 'true' }
  }
  if (type === 'array') {
    const itemSchema = schema.items || {}
    const values = []
    for (const part of text.split(',')) {
      const item = coerce(part, itemSchema)
      if (item.problem) return item
      values.push(item.value)
    }
    return { value: values }
  }
  return { value: text }
}

/**
 * Entries of a query given as URLSearchParams, a plain record or a query string.
 * @param {Record<string, string | string[] | undefined> | URLSearchParams | string | undefined} query
 * @returns {string[][]}
 */
function queryEntries(query) {
  if (query === undefined || query === null) return []
  if (typeof query === 'string') return [...new URLSearchParams(query.startsWith('?') ? query.slice(1) : query)]
  if (query instanceof URLSearchParams) return [...query]
  const out = []
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue
    if (Array.isArray(value)) for (const v of value) out.push([key, String(v)])
    else out.push([key, String(value)])
  }
  return out
}

/**
 * Builds a validator for an OpenAPI description.
 * @param {OpenApiSpec} [spec] defaults to loadSpec()
 * @returns {Validator}
 */
export function createValidator(spec = loadSpec()) {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true })
  addFormats(ajv)
  // Numeric formats of OpenAPI that JSON Schema does not define: any number fits.
  for (const name of ['float', 'double', 'int32', 'int64', 'byte', 'binary', 'password']) {
    if (!ajv.formats[name]) ajv.addFormat(name, true)
  }

  const cache = new Map()
  /**
   * Compiles a schema once (keyed by a stable name), returning ajv's validate function.
   * @param {string} key
   * @param {any} schema
   */
  function compiled(key, schema) {
    let fn = cache.get(key)
    if (!fn) {
      fn = ajv.compile(toJsonSchema(schema))
      cache.set(key, fn)
    }
    return fn
  }

  /**
   * @param {string} key
   * @param {any} schema
   * @param {unknown} data
   * @param {string} where
   * @returns {string[]}
   */
  function schemaProblems(key, schema, data, where) {
    const validate = compiled(key, schema)
    if (validate(data)) return []
    const seen = new Set()
    for (const error of validate.errors || []) {
      let message = error.message || 'is not valid'
      if (error.keyword === 'enum' && error.params && Array.isArray(error.params.allowedValues)) {
        message = `must be one of ${error.params.allowedValues.map(describeValue).join(', ')}`
      } else if (error.keyword === 'additionalProperties' && error.params) {
        message = `must not have property '${error.params.additionalProperty}'`
      }
      seen.add(`${where}${error.instancePath || ''} ${message}`)
    }
    return [...seen]
  }

  // Templated paths, literal ones first so /a/b wins over /a/{x}.
  const routes = Object.keys(spec.paths || {})
    .map((template) => {
      /** @type {string[]} */
      const names = []
      const pattern = template
        .split('/')
        .map((segment) => {
          const m = /^\{([^}]+)\}$/.exec(segment)
          if (m) {
            names.push(m[1])
            return '([^/]+)'
          }
          return escapeRegExp(segment)
        })
        .join('/')
      return { template, names, regex: new RegExp(`^${pattern}$`), item: spec.paths[template] }
    })
    .sort((a, b) => a.names.length - b.names.length)

  /**
   * Finds the operation for a method and path (no query string).
   * Returns { template, operation, pathItem, params } (params percent-decoded, undefined for bad encoding)
   * or { template, pathItem, methodMissing: true } when the path exists but not for this method, or undefined.
   * @param {string} method
   * @param {string} path
   * @returns {OperationMatch | undefined}
   */
  function match(method, path) {
    const verb = String(method).toLowerCase()
    const cleanPath = String(path).split('?')[0]
    /** @type {OperationMatch | undefined} */
    let pathOnly
    for (const route of routes) {
      const m = route.regex.exec(cleanPath)
      if (!m) continue
      /** @type {Record<string, string | undefined>} */
      const params = {}
      route.names.forEach((name, i) => {
        params[name] = decodeSegment(m[i + 1])
      })
      const operation = route.item[verb]
      if (operation && METHODS.includes(verb))
        return { template: route.template, operation, pathItem: route.item, params }
      pathOnly ??= { template: route.template, pathItem: route.item, methodMissing: /** @type {true} */ (true) }
    }
    return pathOnly
  }

  /** The parameters of an operation: path-level ones, overridden by operation-level ones of the same name and place. */
  /**
   * @param {OperationMatch & { operation: Record<string, any> }} found
   * @returns {any[]}
   */
  function parametersOf(found) {
    const byKey = new Map()
    for (const p of found.pathItem.parameters || []) byKey.set(`${p.in}:${p.name}`, p)
    for (const p of found.operation.parameters || []) byKey.set(`${p.in}:${p.name}`, p)
    return [...byKey.values()]
  }

  /**
   * @param {OperationMatch} found
   * @param {any} param
   * @param {string} text
   * @param {string} label
   */
  function parameterProblems(found, param, text, label) {
    const schema = param.schema || {}
    const converted = coerce(text, schema)
    if (converted.problem) return [`${label} ${converted.problem}`]
    const key = `param ${found.template} ${param.in}:${param.name}`
    return schemaProblems(key, schema, converted.value, label)
  }

  /**
   * Problems with a request; [] when it fits the description.
   * @param {{ method: string, path: string, query?: Record<string, string> | URLSearchParams | string, body?: unknown }} request
   */
  /** @type {Validator['validateRequest']} */
  function validateRequest({ method, path, query, body }) {
    const verb = String(method).toUpperCase()
    const [cleanPath, queryString] = String(path).split('?', 2)
    const found = match(verb, cleanPath)
    if (!found) return [`${verb} ${cleanPath}: no such path in the API description`]
    if (found.methodMissing) return [`${verb} ${cleanPath}: method ${verb} is not defined for ${found.template}`]
    const problems = []
    const params = parametersOf(found)

    for (const param of params.filter((p) => p.in === 'path')) {
      const value = found.params[param.name]
      if (value === undefined) {
        problems.push(`path parameter ${param.name} is not valid percent-encoding`)
        continue
      }
      problems.push(...parameterProblems(found, param, value, `path parameter ${param.name}`))
    }

    const entries = [...queryEntries(queryString), ...queryEntries(query)]
    const declared = new Map(params.filter((p) => p.in === 'query').map((p) => [p.name, p]))
    const given = new Map()
    for (const [name, value] of entries) {
      if (!given.has(name)) given.set(name, [])
      given.get(name).push(value)
    }
    for (const [name, values] of given) {
      const param = declared.get(name)
      if (!param) {
        problems.push(`query parameter ${name} is not defined for ${verb} ${found.template}`)
        continue
      }
      const isArray = param.schema && param.schema.type === 'array'
      if (values.length > 1 && !isArray) {
        problems.push(`query parameter ${name} is given ${values.length} times`)
        continue
      }
      problems.push(
        ...parameterProblems(found, param, isArray ? values.join(',') : values[0], `query parameter ${name}`)
      )
    }
    for (const param of declared.values()) {
      if (param.required && !given.has(param.name)) problems.push(`query parameter ${param.name} is required`)
    }

    const requestBody = found.operation.requestBody
    if (!requestBody) {
      if (body !== undefined) problems.push(`${verb} ${found.template} takes no request body`)
    } else if (body === undefined) {
      if (requestBody.required) problems.push('request body is required')
    } else {
      const media = requestBody.content && requestBody.content['application/json']
      if (!media) problems.push(`${verb} ${found.template} takes no JSON body`)
      else if (media.schema)
        problems.push(...schemaProblems(`request ${verb} ${found.template}`, media.schema, body, 'request body'))
    }
    return problems
  }

  /**
   * Problems with a response; [] when it fits the description.
   * @param {{ method: string, path: string, status: number, body?: unknown }} response
   */
  /** @type {Validator['validateResponse']} */
  function validateResponse({ method, path, status, body }) {
    const verb = String(method).toUpperCase()
    const cleanPath = String(path).split('?')[0]
    const found = match(verb, cleanPath)
    if (!found) return [`${verb} ${cleanPath}: no such path in the API description`]
    if (found.methodMissing) return [`${verb} ${cleanPath}: method ${verb} is not defined for ${found.template}`]
    const responses = found.operation.responses || {}
    const code = String(status)
    const rangeKey = `${code[0]}XX`
    const key =
      code in responses ? code : rangeKey in responses ? rangeKey : 'default' in responses ? 'default' : undefined
    if (key === undefined) return [`status ${status} is not a documented response of ${verb} ${found.template}`]
    const media = responses[key].content && responses[key].content['application/json']
    if (status === 204 || !media) {
      return body === undefined
        ? []
        : [`a ${status} response of ${verb} ${found.template} has no body, but one was sent`]
    }
    if (body === undefined) return [`a ${status} response of ${verb} ${found.template} must have a JSON body`]
    if (!media.schema) return []
    return schemaProblems(`response ${verb} ${found.template} ${key}`, media.schema, body, 'response body')
  }

  return { validateRequest, validateResponse, match }
}
