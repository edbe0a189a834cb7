import { afterEach, describe, expect, it } from 'vitest';
import type { NewEvent, XrayEvent } from '../../lib/protocol/events';
import { parseSelector } from '../../lib/selector/parse';
import { SqliteEventLog } from '../store/sqliteEventLog';
import { SpanIndex } from './spanIndex';

const T1 = '1'.repeat(32);
const T2 = '2'.repeat(32);
const sid = (n: number) => n.toString(16).padStart(16, '0');

let seq = 0;
function ev(e: Partial<NewEvent> & Pick<NewEvent, 'kind' | 'data'>): XrayEvent {
  seq++;
  return { id: `e${seq}`, ts: 1000 + seq, t: null, trace_id: T1, span_id: null, parent_span_id: null, agent: 'a', peer: null, topic: null, lamport: seq, seq, ...e } as XrayEvent;
}

let index: SpanIndex;
afterEach(() => index?.close());

function sample(): XrayEvent[] {
  seq = 0;
  return [
    ev({ kind: 'call.request', agent: 'orch', peer: 'worker-1', span_id: sid(1), data: { correlation_id: 'c1', method: 'review', payload: '', timeout_ms: 1000, via: 'ws' } }),
    ev({ kind: 'span.start', agent: 'scanner', span_id: sid(2), parent_span_id: sid(1), t: 5000, data: { name: 'security_scan_complete', attributes: { 'vulnerabilities.critical': 0 } } }),
    ev({ kind: 'span.end', agent: 'scanner', span_id: sid(2), t: 5300, data: { status: 'ok', attributes: { 'scan.tool': 'trivy' } } }),
    ev({ kind: 'call.response', agent: 'worker-1', peer: 'orch', span_id: sid(1), data: { correlation_id: 'c1', payload: 'ok', duration_ms: 5 } }),
    ev({ kind: 'span.start', id: `otlp-${T2}-${sid(3)}-start`, agent: 'svc', trace_id: T2, span_id: sid(3), t: 7000, data: { name: 'security_scan_complete', attributes: { 'vulnerabilities.critical': 2 } } }),
    ev({ kind: 'span.end', id: `otlp-${T2}-${sid(3)}-end`, agent: 'svc', trace_id: T2, span_id: sid(3), t: 9500, data: { status: 'error', error: 'found 2' } }),
    ev({ kind: 'call.request', agent: 'orch', peer: 'worker-2', span_id: sid(4), data: { correlation_id: 'c2', method: 'review', payload: '', timeout_ms: 1000, via: 'rest' } }),
    ev({ kind: 'call.timeout', agent: 'worker-2', peer: 'orch', span_id: sid(4), data: { correlation_id: 'c2', timeout_ms: 1000, duration_ms: 1000 } }),
  ];
}

const names = (spans: { span_id: string }[]) => spans.map((s) => s.span_id);

describe('span index', () => {
  it('[C2] indexes SDK, OTLP and relay-call spans with merged attributes, agent = worker, status from the outcome', () => {
    index = SpanIndex.inMemory();
    const completed = index.apply(sample());
    expect(completed.map((c) => [c.span.span_id, c.seq])).toEqual([[sid(2), 3], [sid(1), 4], [sid(3), 6], [sid(4), 8]]);
    const call = index.get(T1, sid(1))!;
    expect(call).toMatchObject({ name: 'review', agent: 'worker-1', kind: 'relay', status: 'ok', attributes: { 'relay.caller': 'orch' } });
    expect(index.get(T1, sid(4))).toMatchObject({ status: 'error', attributes: { 'error.code': 'call_timeout' } });
    expect(index.get(T1, sid(2))).toMatchObject({ kind: 'sdk', start: 5000, end: 5300, attributes: { 'vulnerabilities.critical': 0, 'scan.tool': 'trivy' } });
    expect(index.get(T2, sid(3))).toMatchObject({ kind: 'otlp', status: 'error', attributes: { error: 'found 2' } });
    expect(index.head).toBe(8);
  });

  it('[C2] queries by selector: attributes, pseudo-attributes, OR, descendants, trace, since', () => {
    index = SpanIndex.inMemory();
    index.apply(sample());
    const q = (s: string, extra = {}) => names(index.query({ selector: parseSelector(s), limit: 100, ...extra }).spans);
    expect(q('span[name="security_scan_complete" vulnerabilities.critical=0]')).toEqual([sid(2)]);
    expect(q('span[vulnerabilities.critical>0]')).toEqual([sid(3)]);
    expect(q('span[status="error"]')).toEqual([sid(4), sid(3)]);
    expect(q('span[agent="worker-1"], span[kind="otlp"]')).toEqual([sid(3), sid(1)]);
    expect(q('span[name="review" agent="worker-1"] span[vulnerabilities.critical=0]')).toEqual([sid(2)]);
    expect(q('span[name="review"] span[kind="otlp"]')).toEqual([]);
    expect(q('span[duration >= 2s]')).toEqual([sid(3)]);
    expect(q('span[scan.tool contains "riv"]')).toEqual([sid(2)]);
    expect(q('span', { traceId: T2 })).toEqual([sid(3)]);
    expect(q('span', { since: 6000 })).toEqual([sid(3)]);
  });

  it('[C2] pages with a cursor, newest first', () => {
    index = SpanIndex.inMemory();
    index.apply(sample());
    const first = index.query({ selector: null, limit: 3 });
    expect(names(first.spans)).toEqual([sid(4), sid(3), sid(2)]);
    expect(first.next).not.toBeNull();
    const second = index.query({ selector: null, limit: 3, cursor: first.next! });
    expect(names(second.spans)).toEqual([sid(1)]);
    expect(second.next).toBeNull();
  });

  it('[G6] a hostile parent chain costs a bounded number of lookups per page; paging still finishes', () => {
    index = SpanIndex.inMemory();
    seq = 0;
    // One trace, a chain 3,000 spans deep: every span's ancestors walk toward the root.
    const chain: XrayEvent[] = [];
    for (let i = 1; i <= 3000; i++) {
      chain.push(ev({ kind: 'span.start', agent: 'deep', span_id: sid(i), parent_span_id: i > 1 ? sid(i - 1) : null, data: { name: 'link' } }));
      chain.push(ev({ kind: 'span.end', agent: 'deep', span_id: sid(i), data: { status: 'ok' } }));
    }
    index.apply(chain);
    const selector = parseSelector('span[name="root-that-does-not-exist"] span');
    let lookups = 0;
    const get = index.get.bind(index);
    index.get = (t, s) => (lookups++, get(t, s));
    let page = index.query({ selector, limit: 10 });
    let pages = 1;
    while (page.next !== null && pages < 100) {
      expect(page.spans).toEqual([]);
      page = index.query({ selector, limit: 10, cursor: page.next });
      pages++;
    }
    expect(page.next).toBeNull();
    // Memoized per page: each ancestor is read once, not once per descendant (3,000 × 64).
    expect(lookups).toBeLessThanOrEqual(Math.min(pages * 20_000, 3000 * pages));
  });

  it('[C2] rebuilds from the log at start-up, and from scratch when the log is behind the index', async () => {
    const log = SqliteEventLog.inMemory();
    await log.append(sample().map(({ seq: _s, ...e }) => e));
    index = SpanIndex.inMemory();
    await index.catchUp(log, 3); // small pages
    expect(index.size).toBe(4);
    expect(index.head).toBe(8);
    // Events already indexed are ignored when replayed.
    expect(index.apply(sample())).toEqual([]);
    const empty = SqliteEventLog.inMemory();
    await index.catchUp(empty);
    expect(index.size).toBe(0);
    expect(index.head).toBe(0);
  });
});
