/** DigitalOcean's error answer, as the transport reads it from an answer that is not a success. */
export interface ErrorObject {
  readonly id: string
  readonly message: string
  readonly request_id: string
}

/**
 * An object from an answer, seen through a shape: only the shape's documented fields can be read,
 * and each may hold anything until it has been checked.
 */
export type Loose<T> = { readonly [K in keyof T]?: unknown }
