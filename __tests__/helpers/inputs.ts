/** Parsed inputs narrowed to one operation's, for tests that read that operation's fields. */
import type { Inputs, InputsOf } from '../../src/inputs/inputs.js'
import type { Operation } from '../../src/inputs/operation.js'

const isOf = <O extends Operation>(inputs: Inputs, operation: O): inputs is InputsOf<O> =>
  inputs.operation === operation

/** The inputs of `operation`; throws when the parser yielded another operation's. */
export function inputsOf<O extends Operation>(operation: O, inputs: Inputs): InputsOf<O> {
  if (!isOf(inputs, operation)) throw new Error(`expected the inputs of ${operation}, got those of ${inputs.operation}`)
  return inputs
}
