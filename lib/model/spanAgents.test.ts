import { describe, expect, it } from 'vitest';
import { createSpanAgentIndex, recordSpan } from './spanAgents';

describe('span agents', () => {
  it('[V3] a span naming no agent takes its parent’s; a root naming none takes the service', () => {
    const ix = createSpanAgentIndex();
    expect(recordSpan(ix, 'a', null, null, false, 'svc')).toEqual([{ key: 'a', agent: 'svc', caller: null }]);
    recordSpan(ix, 'p', null, 'planner', true, 'svc');
    expect(recordSpan(ix, 'c', 'p', null, false, 'svc')).toEqual([{ key: 'c', agent: 'planner', caller: null }]);
    expect(recordSpan(ix, 'g', 'c', null, false, 'svc')).toEqual([{ key: 'g', agent: 'planner', caller: null }]);
  });

  it('[V3] an invocation under another agent’s span is a call; under its own agent’s it is not', () => {
    const ix = createSpanAgentIndex();
    recordSpan(ix, 'p', null, 'planner', true, 'svc');
    recordSpan(ix, 'tool', 'p', null, false, 'svc');
    expect(recordSpan(ix, 'w', 'tool', 'writer', true, 'svc')).toEqual([{ key: 'w', agent: 'writer', caller: 'planner' }]);
    expect(recordSpan(ix, 'p2', 'p', 'planner', true, 'svc')).toEqual([{ key: 'p2', agent: 'planner', caller: null }]);
    // A plain (non-invocation) span naming another agent is not a call.
    expect(recordSpan(ix, 'x', 'p', 'writer', false, 'svc')[0].caller).toBeNull();
  });

  it('[V3] children exported before their parent resolve, and connect, when the parent lands', () => {
    const ix = createSpanAgentIndex();
    expect(recordSpan(ix, 'chat', 'tool', null, false, 'svc')).toEqual([]);
    expect(recordSpan(ix, 'w', 'tool', 'writer', true, 'svc')).toEqual([{ key: 'w', agent: 'writer', caller: null }]);
    expect(recordSpan(ix, 'tool', 'root', null, false, 'svc')).toEqual([]);
    const landed = recordSpan(ix, 'root', null, 'planner', true, 'svc');
    expect(landed).toEqual(
      expect.arrayContaining([
        { key: 'root', agent: 'planner', caller: null },
        { key: 'tool', agent: 'planner', caller: null },
        { key: 'chat', agent: 'planner', caller: null },
        { key: 'w', agent: 'writer', caller: 'planner' },
      ]),
    );
    expect(landed).toHaveLength(4);
    expect(ix.waiting.size).toBe(0);
  });

  it('[G6] stays bounded: the oldest spans and waits are forgotten', () => {
    const ix = createSpanAgentIndex(100);
    for (let i = 0; i < 1000; i++) recordSpan(ix, `s${i}`, `missing${i}`, null, false, 'svc');
    expect(ix.spans.size).toBeLessThanOrEqual(100);
    expect(ix.waiting.size).toBeLessThanOrEqual(100);
  });
});
