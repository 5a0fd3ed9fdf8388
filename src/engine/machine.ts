/**
 * The one loop of every change protocol (a move's, a release's, a create's): the pure machine
 * decides what to do next, `perform` does it and hands back what it saw, until the machine is done.
 * Lines the machine says go to the log; the machine's performers turn every exception into an
 * observation, so the loop never throws.
 */
import type { Logger } from '../logger.js'

interface Done<R> {
  readonly kind: 'done'
  readonly outcome: R
}

/** The effects a performer carries out: every one but `done`. */
export type Pending<E> = Exclude<E, { readonly kind: 'done' }>

export interface MachineStep<S, E> {
  readonly state: S
  readonly effect: E
  /** A line for the log, when the step is worth saying. */
  readonly say?: string
}

export async function runMachine<S, O, E extends { readonly kind: string }, R>(
  log: Logger,
  start: S,
  first: O,
  next: (state: S, seen: O) => MachineStep<S, E | Done<R>>,
  perform: (effect: E, state: S) => Promise<O>
): Promise<R> {
  let state = start
  let seen = first
  for (;;) {
    const step = next(state, seen)
    state = step.state
    if (step.say) log.info(step.say)
    if (step.effect.kind === 'done') return (step.effect as Done<R>).outcome
    seen = await perform(step.effect as E, state)
  }
}
