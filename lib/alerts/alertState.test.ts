import { describe, expect, it } from 'vitest';
import { stepAlert, type AlertState } from './alertState';

const obs = (holds: boolean, value = 1) => ({ holds, value, examples: [] });

describe('alert state machine', () => {
  it('[AL2] pending → firing only after the condition held for `for`, then resolves', () => {
    let s: AlertState | null = null;
    let r = stepAlert(s, obs(true), 1000, 5000);
    expect(r.transition).toEqual({ from: 'inactive', to: 'pending' });
    s = r.state;
    r = stepAlert(s, obs(true), 5999, 5000);
    expect(r.transition).toBeNull();
    expect(r.state?.phase).toBe('pending');
    r = stepAlert(r.state, obs(true, 7), 6000, 5000);
    expect(r.transition).toEqual({ from: 'pending', to: 'firing' });
    expect(r.state).toMatchObject({ phase: 'firing', since: 1000, firedAt: 6000, value: 7 });
    r = stepAlert(r.state, obs(true), 9000, 5000);
    expect(r.transition).toBeNull();
    r = stepAlert(r.state, obs(false, 0), 9500, 5000);
    expect(r.transition).toEqual({ from: 'firing', to: 'resolved' });
    expect(r.state).toBeNull();
  });

  it('[AL2] a condition that stops holding while pending never fires', () => {
    const p = stepAlert(null, obs(true), 0, 10_000).state;
    const r = stepAlert(p, obs(false), 4000, 10_000);
    expect(r).toEqual({ state: null, transition: { from: 'pending', to: 'inactive' } });
  });

  it('[AL2] `for: 0` fires at once; an inactive alert that does not hold stays silent', () => {
    expect(stepAlert(null, obs(true), 5, 0).transition).toEqual({ from: 'inactive', to: 'firing' });
    expect(stepAlert(null, obs(false), 5, 0)).toEqual({ state: null, transition: null });
  });
});
