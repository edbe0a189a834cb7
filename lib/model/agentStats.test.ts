import { expect, it } from 'vitest';
import type { EventKind, XrayEvent } from '../protocol/events';
import { makeEvent } from '../testing/events';
import { PROTOTYPE_NAMES } from '../testing/hostileNames';
import { agentStats, percentile } from './agentStats';

const out = (seq: number, kind: EventKind, agent: string, peer: string, duration_ms: number, extra = {}): XrayEvent =>
  makeEvent(kind, { seq, ts: seq, agent, peer, data: { correlation_id: 'c', duration_ms, payload: '', code: 'worker_error', message: 'boom', timeout_ms: 100, ...extra } }) as XrayEvent;

it('computes served and made latencies and lists recent errors newest first', () => {
  const events = [out(1, 'call.response', 'w', 'o', 10), out(2, 'call.response', 'w', 'o', 30), out(3, 'call.error', 'w', 'o', 20), out(4, 'call.timeout', 'w', 'o', 100), out(5, 'call.response', 'x', 'w', 7)];
  const s = agentStats('w', events);
  expect(s.served).toEqual({ count: 4, p50: 20, p95: 100, max: 100 });
  expect(s.made).toEqual({ count: 1, p50: 7, p95: 7, max: 7 });
  expect(s.recentErrors.map((e) => e.seq)).toEqual([4, 3]);
  expect(s.recentErrors[1].message).toBe('worker_error: boom');
});

it('takes nearest-rank percentiles', () => {
  expect(percentile([], 50)).toBeNull();
  expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  expect(percentile([1, 2, 3, 4], 95)).toBe(4);
});

it.each(PROTOTYPE_NAMES.map((n) => [n]))('[G6] computes the stats of an agent named %s from its own events only', (name) => {
  const events = [out(1, 'call.response', name, 'o', 10), out(2, 'call.error', name, 'o2', 20), out(3, 'call.response', 'o3', name, 5), out(4, 'call.response', 'x', 'y', 1)];
  const s = agentStats(name, events);
  expect(s.served).toMatchObject({ count: 2, max: 20 });
  expect(s.made).toMatchObject({ count: 1, max: 5 });
  expect(s.recentErrors.map((e) => e.peer)).toEqual(['o2']);
});
