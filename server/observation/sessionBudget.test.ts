import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { SessionBudgets, sessionKeyOf } from './sessionBudget';

const req = (headers: Record<string, string>, addr = '10.0.0.1') => ({ headers, socket: { remoteAddress: addr } }) as unknown as IncomingMessage;

describe('session budgets [G6]', () => {
  it('[G6] one session is one budget, however many sockets or requests it spreads over', () => {
    const budgets = new SessionBudgets(1, 10);
    const session = sessionKeyOf(req({ cookie: 'xray_session=abc' }));
    let allowed = 0;
    for (let socket = 0; socket < 5; socket++) for (let i = 0; i < 10; i++) if (budgets.take(session)) allowed++;
    expect(allowed).toBe(10);
    expect(budgets.refused).toBe(40);
    // Another session is not affected.
    expect(budgets.take(sessionKeyOf(req({ cookie: 'xray_session=other' })))).toBe(true);
  });

  it('[G6] a large snapshot charged after the fact puts the session into debt', () => {
    const budgets = new SessionBudgets(1, 10);
    budgets.charge('s', 15);
    expect(budgets.take('s')).toBe(false);
  });

  it('keys sessions by embed token, admin cookie, Bearer, else address', () => {
    expect(sessionKeyOf(req({ cookie: 'xray_session=abc' }), 'tok')).toBe('embed:tok');
    expect(sessionKeyOf(req({ cookie: 'xray_session=abc' }))).toBe('session:abc');
    expect(sessionKeyOf(req({ authorization: 'Bearer x' }))).toBe('bearer');
    expect(sessionKeyOf(req({}))).toBe('addr:10.0.0.1');
  });
});
