/** Validation of requests and responses against the DigitalOcean OpenAPI excerpt in api/. */

/** An OpenAPI 3.0 description with every $ref resolved. */
export interface OpenApiSpec {
  openapi: string
  info?: Record<string, unknown>
  paths: Record<string, Record<string, any>>
  [key: string]: unknown
}

export interface RequestToValidate {
  method: string
  /** Path without the host; a query string after '?' is allowed and checked too. */
  path: string
  query?: Record<string, string | string[] | undefined> | URLSearchParams | string
  /** The parsed JSON body, or undefined when there is none. */
  body?: unknown
}

export interface ResponseToValidate {
  method: string
  path: string
  status: number
  /** The parsed JSON body, or undefined when there is none (a 204). */
  body?: unknown
}

export interface OperationMatch {
  /** The templated path, e.g. /v2/reserved_ips/{reserved_ip}. */
  template: string
  pathItem: Record<string, any>
  /** The operation object; absent when the path exists but not for this method. */
  operation?: Record<string, any>
  /** Path parameters, percent-decoded (undefined for invalid percent-encoding). */
  params?: Record<string, string | undefined>
  /** True when the path exists but the method does not. */
  methodMissing?: true
}

export interface Validator {
  /** Problems with a request; [] when it fits the description. */
  validateRequest(request: RequestToValidate): string[]
  /** Problems with a response; [] when it fits the description. */
  validateResponse(response: ResponseToValidate): string[]
  /** The operation a method and path belong to, if any. */
  match(method: string, path: string): OperationMatch | undefined
}

/** Reads an OpenAPI description; defaults to api/digitalocean-reserved-ips.openapi.json (cached). */
export function loadSpec(path?: string | URL): OpenApiSpec

/** Builds a validator; schemas are compiled on first use and cached. */
export function createValidator(spec?: OpenApiSpec): Validator
