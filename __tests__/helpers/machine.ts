/** Plays observations through a change protocol's pure machine: the effects it asked for, and its outcome. */
export function playMachine<S, O, E extends { readonly kind: string }, R>(
  next: (state: S, seen: O) => { readonly state: S; readonly effect: E },
  start: S,
  seen: readonly O[]
): { effects: E['kind'][]; outcome?: R } {
  let state = start
  const effects: E['kind'][] = []
  for (const observation of seen) {
    const step = next(state, observation)
    state = step.state
    effects.push(step.effect.kind)
    if (step.effect.kind === 'done') return { effects, outcome: (step.effect as unknown as { outcome: R }).outcome }
  }
  return { effects }
}
