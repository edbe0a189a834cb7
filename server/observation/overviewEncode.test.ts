import { describe, expect, it } from 'vitest';
import { eventFactory, type EventInput } from '../../lib/testing/events';
import { applyEvents, createSwarmModel, TAIL_REFRESH_MS } from '../../lib/model/swarmModel';
import { applyOverviewDelta, applyOverviewSnapshot, emptyOverview } from '../../lib/client/overviewState';
import { encodeOverview } from './overviewEncode';

const events = eventFactory({ ts: (seq) => (seq - 1) * 10, lamport: 0 });
const e = (p: EventInput, ts?: number) => events.event(ts === undefined ? p : { ...p, ts });
const rates = { eventsPerSec: 0, tokensPerSec: 0 };

describe('overview encoding', () => {
  it('sends full rows on state changes and short [idx, tokens] rows when only the count moved', () => {
    const m = createSwarmModel();
    applyEvents(m, [e({ kind: 'agent.register', agent: 'w', data: { transport: 'ws' } }, 0), e({ kind: 'token', agent: 'w', data: { text: 'a' } }, 1)]);
    const first = encodeOverview(m, -1, rates);
    expect(first.agents[0]).toHaveLength(11); // snapshot: full rows
    const cursor = m.seq;
    applyEvents(m, [e({ kind: 'token', agent: 'w', data: { text: 'b' } }, 2), e({ kind: 'token', agent: 'w', data: { text: 'c' } }, 3)]);
    expect(encodeOverview(m, cursor, rates).agents).toEqual([[0, 3]]); // same state, count only
    const c2 = m.seq;
    applyEvents(m, [e({ kind: 'token', agent: 'w', data: { text: 'd' } }, 3 + TAIL_REFRESH_MS)]);
    expect(encodeOverview(m, c2, rates).agents).toEqual([[0, 4, 'abcd']]); // preview due
    const c3 = m.seq;
    applyEvents(m, [e({ kind: 'call.request', agent: 'o', peer: 'w', data: { correlation_id: 'c', method: 'm', payload: '', timeout_ms: 1, via: 'ws' } })]);
    const rows = encodeOverview(m, c3, rates).agents;
    expect(rows.find((r) => r[0] === 0)).toHaveLength(11); // w changed state (working): full row
  });

  it('decodes to the same agents whichever rows it was sent', () => {
    const m = createSwarmModel();
    applyEvents(m, [e({ kind: 'agent.register', agent: 'w', data: { transport: 'ws' } }, 0)]);
    let view = applyOverviewSnapshot(emptyOverview, { sub: 'overview', kind: 'overview', seq: m.seq, ...encodeOverview(m, -1, rates) });
    for (let i = 0; i < 5; i++) {
      const cursor = m.seq;
      applyEvents(m, [e({ kind: 'token', agent: 'w', data: { text: `${i}` } }, 100 + i * TAIL_REFRESH_MS)]);
      const r = applyOverviewDelta(view, { sub: 'overview', kind: 'overview', from: cursor + 1, to: m.seq, ...encodeOverview(m, cursor, rates) });
      expect(r.gap).toBe(false);
      view = r.state;
    }
    expect(view.agents.get('w')).toMatchObject({ tokens: 5, status: 'streaming', connected: true, textTail: '01234' });
  });
});
