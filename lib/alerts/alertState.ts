/**
 * The life of one alert (one rule × one key) as a pure state machine:
 *
 *   inactive ──holds──► pending ──held for `for`──► firing ──stops holding──► resolved (inactive)
 *                          └──stops holding──► inactive
 *
 * With `for: 0` a holding condition goes straight to firing. Time comes in as an argument,
 * so tests drive it with a fake clock.
 */
export type AlertPhase = 'pending' | 'firing';
export type TransitionTo = 'pending' | 'firing' | 'resolved' | 'inactive';

export interface AlertState {
  phase: AlertPhase;
  /** When the condition started holding (pending began). */
  since: number;
  /** When it started firing; identifies the firing (idempotent delivery). */
  firedAt: number | null;
  /** The value that triggered the latest transition (the latest one while firing). */
  value: number;
  examples: readonly string[];
}

export interface Observation {
  holds: boolean;
  value: number;
  examples: readonly string[];
}

export interface Step {
  state: AlertState | null;
  transition: { from: AlertPhase | 'inactive'; to: TransitionTo } | null;
}

export function stepAlert(state: AlertState | null, obs: Observation, now: number, forMs: number): Step {
  if (!state) {
    if (!obs.holds) return { state: null, transition: null };
    if (forMs <= 0) return { state: { phase: 'firing', since: now, firedAt: now, value: obs.value, examples: obs.examples }, transition: { from: 'inactive', to: 'firing' } };
    return { state: { phase: 'pending', since: now, firedAt: null, value: obs.value, examples: obs.examples }, transition: { from: 'inactive', to: 'pending' } };
  }
  if (state.phase === 'pending') {
    if (!obs.holds) return { state: null, transition: { from: 'pending', to: 'inactive' } };
    if (now - state.since >= forMs) return { state: { ...state, phase: 'firing', firedAt: now, value: obs.value, examples: obs.examples }, transition: { from: 'pending', to: 'firing' } };
    return { state: { ...state, value: obs.value, examples: obs.examples }, transition: null };
  }
  if (!obs.holds) return { state: null, transition: { from: 'firing', to: 'resolved' } };
  return { state: { ...state, value: obs.value, examples: obs.examples }, transition: null };
}
