import { expect, it } from 'vitest';
import { ev } from '../testing/eventLogContract';
import { foldTraceEvent, MAX_TRACE_AGENTS, type TraceRollup } from './traceRollup';

it('[L4] a batch folds into one rollup per trace: seq and time span, counts, errors, lamport maximum, agents after the known ones', () => {
  const rollups = new Map<string, TraceRollup>();
  const known = (id: string) => (id === 't1' ? ['earlier-agent'] : undefined);
  foldTraceEvent(rollups, 't1', ev({ kind: 'token', agent: 'a', ts: 200 }, 3), 10, known);
  foldTraceEvent(rollups, 't1', ev({ kind: 'span.end', agent: 'b', peer: 'c', ts: 150, data: { status: 'error' } } as never, 7), 11, known);
  foldTraceEvent(rollups, 't2', ev({ kind: 'token', agent: 'z', ts: 300 }, 1), 12, known);
  const t1 = rollups.get('t1')!;
  expect({ ...t1, agents: [...t1.agents] }).toEqual({ first: 10, first_ts: 150, seq: 11, ts: 200, events: 2, errors: 1, lamport: 7, agents: ['earlier-agent', 'a', 'b', 'c'] });
  expect([...rollups.get('t2')!.agents]).toEqual(['z']);
});

it(`[L4] a trace lists at most ${MAX_TRACE_AGENTS} agents, the first seen`, () => {
  const rollups = new Map<string, TraceRollup>();
  for (let i = 0; i < 100; i++) foldTraceEvent(rollups, 't', ev({ kind: 'token', agent: `agent-${i}` }), i + 1, () => undefined);
  const agents = [...rollups.get('t')!.agents];
  expect(agents).toHaveLength(MAX_TRACE_AGENTS);
  expect(agents[0]).toBe('agent-0');
  expect(rollups.get('t')!.events).toBe(100);
});
