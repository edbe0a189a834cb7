/**
 * Span query and watch against a real relay: spans from the OpenTelemetry JS SDK (OTLP/HTTP),
 * from the X-Ray SDK (span frames) and from the relay's own calls; SSE and WebSocket
 * watches, resumed without loss.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RelayToAgent } from '../../lib/protocol/relay';
import type { SpanQueryResult, WireSpan } from '../../lib/protocol/spans';
import { XrayAgent } from '../../lib/sdk/xrayAgent';
import { postJson, startTestApi, startTestRelay, TestAgent, waitFor } from '../testing/harness';
import { exportScan } from '../testing/otelScan';
import { SseReader } from '../testing/sseReader';

type Relay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: Relay;
const cleanup: (() => unknown)[] = [];

beforeEach(async () => {
  relay = await startTestRelay();
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await relay.close();
});

async function query(q: string, extra = ''): Promise<SpanQueryResult> {
  const res = await fetch(`${relay.url}/v1/spans?q=${encodeURIComponent(q)}${extra}`);
  expect(res.status).toBe(200);
  return (await res.json()) as SpanQueryResult;
}

async function worker(name: string): Promise<XrayAgent> {
  const agent = XrayAgent.connect({ url: relay.wsUrl, name });
  cleanup.push(() => agent.close(100));
  await agent.ready();
  return agent;
}

describe('span query', () => {
  it('[C2] finds a span emitted by the OpenTelemetry SDK by name and attribute, with its parent', async () => {
    const { traceId, spanId, rootSpanId } = await exportScan(relay.url, 0);
    await exportScan(relay.url, 3);
    const r = await query('span[name="security_scan_complete" vulnerabilities.critical=0]');
    expect(r.spans).toHaveLength(1);
    expect(r.spans[0]).toMatchObject({ trace_id: traceId, span_id: spanId, parent_span_id: rootSpanId, agent: 'security-scanner', status: 'ok', kind: 'otlp' });
    expect(r.spans[0].attributes).toMatchObject({ 'vulnerabilities.critical': 0, 'scan.tool': 'trivy' });
    expect(r.next).toBeNull();
    const nested = await query('span[name="scan repository"] span[vulnerabilities.critical>0]');
    expect(nested.spans.map((s) => s.attributes['vulnerabilities.critical'])).toEqual([3]);
    const inTrace = await query('span', `&trace_id=${traceId}`);
    expect(inTrace.spans).toHaveLength(2);
  });

  it('[C2] finds SDK spans and the relay\'s own calls (name = method, agent = the worker, status from the outcome)', async () => {
    const w = await worker('scanner-1');
    w.handle('scan', async (_p, call) => call.span('security_scan_complete', async () => 'clean', { 'vulnerabilities.critical': 0 }));
    w.handle('explode', () => {
      throw new Error('boom');
    });
    const ok = await postJson(`${relay.url}/v1/call`, { to: 'scanner-1', method: 'scan', payload: 'repo', from: 'orchestrator' });
    expect(ok.status).toBe(200);
    const bad = await postJson(`${relay.url}/v1/call`, { to: 'scanner-1', method: 'explode', payload: '', from: 'orchestrator' });
    expect(bad.status).toBe(502);
    await waitFor(async () => (await query('span[kind="relay"]')).spans.length === 2, 5000, 'relay spans');
    const calls = await query('span[kind="relay" agent="scanner-1"]');
    expect(calls.spans.map((s) => [s.name, s.status, s.attributes['relay.caller']])).toEqual([
      ['explode', 'error', 'orchestrator'],
      ['scan', 'ok', 'orchestrator'],
    ]);
    const sdk = await waitFor(async () => (await query('span[kind="sdk" name="security_scan_complete"]')).spans[0], 5000, 'sdk span');
    expect(sdk).toMatchObject({ agent: 'scanner-1', trace_id: ok.body.trace_id, parent_span_id: ok.body.span_id, status: 'ok' });
    const inside = await query('span[name="scan" kind="relay"] span[vulnerabilities.critical=0]');
    expect(inside.spans.map((s) => s.span_id)).toEqual([sdk.span_id]);
  });

  it('[G6] a bad selector is a coded 400 with its position, and bad parameters are refused', async () => {
    const res = await fetch(`${relay.url}/v1/spans?q=${encodeURIComponent('span[x=1,y=2]')}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'bad_selector' }, position: 8 });
    for (const qs of ['limit=0', 'limit=100000', 'trace_id=xyz', 'since=-1', `q=${'span,'.repeat(600)}`]) {
      const r = await fetch(`${relay.url}/v1/spans?${qs}`);
      expect(r.status).toBe(400);
    }
    const watch = await fetch(`${relay.url}/v1/spans/watch?q=${encodeURIComponent('span[')}`);
    expect(watch.status).toBe(400);
    expect((await watch.json()).error.code).toBe('bad_selector');
  });

  it('[G7] needs an agent key when keys are set; the admin API serves the same query', async () => {
    const keyed = await startTestRelay({ relayKeys: new Set(['k-1234567890']) });
    cleanup.push(() => keyed.close());
    expect((await fetch(`${keyed.url}/v1/spans?q=span`)).status).toBe(401);
    expect((await fetch(`${keyed.url}/v1/spans/watch?q=span`)).status).toBe(401);
    expect((await fetch(`${keyed.url}/v1/spans?q=span`, { headers: { authorization: 'Bearer k-1234567890' } })).status).toBe(200);
    const api = await startTestApi(relay);
    cleanup.push(() => api.close());
    await exportScan(relay.url, 0);
    const r = (await (await fetch(`${api.url}/api/spans?q=${encodeURIComponent('span[vulnerabilities.critical=0]')}`)).json()) as SpanQueryResult;
    expect(r.spans).toHaveLength(1);
  });
});

describe('span index upkeep', () => {
  it('[G8] a failing index never fails an ack; it catches up from the log by itself', async () => {
    const index = relay.spans.index;
    const apply = index.apply.bind(index);
    let failures = 1;
    index.apply = (events, notify) => {
      if (failures-- > 0) throw new Error('SQLITE_FULL: database or disk is full');
      return apply(events, notify);
    };
    const scan = await exportScan(relay.url, 0); // 200 from the OTLP endpoint: committed and acked
    const found = await waitFor(async () => (await query(`span[span_id="${scan.spanId}"]`)).spans[0], 8000, 'recovered index');
    expect(found.name).toBe('security_scan_complete');
  });

  it('[C2] a deleted or stale index is rebuilt from the log at start-up', async () => {
    const scan = await exportScan(relay.url, 0);
    const { dataDir } = relay.config;
    await relay.close();
    for (const f of ['spans.db', 'spans.db-wal', 'spans.db-shm']) fs.rmSync(path.join(dataDir, f), { force: true });
    relay = await startTestRelay({ dataDir });
    const r = await query('span[name="security_scan_complete"]');
    expect(r.spans.map((s) => s.span_id)).toEqual([scan.spanId]);
  });
});

describe('span watch', () => {
  const q = encodeURIComponent('span[name="security_scan_complete" vulnerabilities.critical=0]');

  it('[C3] SSE delivers each matching span once it lands, and resumes with Last-Event-ID without loss', async () => {
    const sse = await SseReader.open(`${relay.url}/v1/spans/watch?q=${q}`);
    cleanup.push(() => sse.close());
    expect(sse.status).toBe(200);
    const first = await exportScan(relay.url, 0);
    await exportScan(relay.url, 5); // not a match
    await waitFor(() => sse.events.length === 1, 5000, 'first match');
    const span = JSON.parse(sse.events[0].data) as WireSpan;
    expect(span).toMatchObject({ span_id: first.spanId, name: 'security_scan_complete' });
    expect(Number(sse.events[0].id)).toBe(span.seq);
    sse.close();

    // While nobody watches, two more matches land; the resumed stream gets exactly those.
    const missed = [await exportScan(relay.url, 0), await exportScan(relay.url, 0)];
    const resumed = await SseReader.open(`${relay.url}/v1/spans/watch?q=${q}`, { 'last-event-id': sse.events[0].id! });
    cleanup.push(() => resumed.close());
    const live = await exportScan(relay.url, 0);
    await waitFor(() => resumed.events.length === 3, 5000, 'resumed matches');
    expect(resumed.events.map((e) => (JSON.parse(e.data) as WireSpan).span_id)).toEqual([...missed.map((m) => m.spanId), live.spanId]);
    const ids = resumed.events.map((e) => Number(e.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('[C3] an agent watches over its WebSocket (span.watch → span.match), resumes with after, unwatches', async () => {
    const agent = await TestAgent.connect(relay.wsUrl, 'orchestrator');
    cleanup.push(() => agent.close());
    agent.send({ type: 'span.watch', id: 'scans', q: 'span[name="security_scan_complete" vulnerabilities.critical=0]' });
    const w = await worker('scanner-2');
    w.handle('scan', async (_p, call) => call.span('security_scan_complete', async () => 'clean', { 'vulnerabilities.critical': 0 }));
    await postJson(`${relay.url}/v1/call`, { to: 'scanner-2', method: 'scan', payload: '' });
    const otel = await exportScan(relay.url, 0);
    const m1 = await agent.next<Extract<RelayToAgent, { type: 'span.match' }>>((m) => m.type === 'span.match');
    const m2 = await agent.next<Extract<RelayToAgent, { type: 'span.match' }>>((m) => m.type === 'span.match');
    expect(m1).toMatchObject({ id: 'scans', span: { agent: 'scanner-2', kind: 'sdk' } });
    expect(m2).toMatchObject({ id: 'scans', span: { span_id: otel.spanId, kind: 'otlp' } });
    expect(m2.seq).toBeGreaterThan(m1.seq);

    // A second connection resumes after the first match and gets the second.
    const late = await TestAgent.connect(relay.wsUrl, 'late-reader');
    cleanup.push(() => late.close());
    late.send({ type: 'span.watch', id: 'w', q: 'span[name="security_scan_complete"]', after: m1.seq });
    const again = await late.next<Extract<RelayToAgent, { type: 'span.match' }>>((m) => m.type === 'span.match');
    expect(again.span.span_id).toBe(otel.spanId);

    agent.send({ type: 'span.unwatch', id: 'scans' });
    await new Promise((r) => setTimeout(r, 50));
    await exportScan(relay.url, 0);
    await late.next((m) => m.type === 'span.match'); // proves the span landed
    expect(agent.messages.filter((m) => m.type === 'span.match')).toHaveLength(0);
  });

  it('[G6] WS watch: bad selector and too many watches are coded errors; the connection keeps working', async () => {
    const agent = await TestAgent.connect(relay.wsUrl, 'greedy');
    cleanup.push(() => agent.close());
    agent.send({ type: 'span.watch', id: 'bad', q: 'span[name=]' });
    expect(await agent.next((m) => m.type === 'error')).toMatchObject({ code: 'bad_selector', ref: 'bad' });
    for (let i = 0; i < 17; i++) agent.send({ type: 'span.watch', id: `w${i}`, q: 'span' });
    expect(await agent.next((m) => m.type === 'error')).toMatchObject({ code: 'too_many_watches', ref: 'w16' });
    const other = await TestAgent.connect(relay.wsUrl);
    cleanup.push(() => other.close());
    other.send({ type: 'span.watch', id: 'x', q: 'span' });
    expect(await other.next((m) => m.type === 'error')).toMatchObject({ code: 'not_registered' });
    await exportScan(relay.url, 0);
    await agent.next((m) => m.type === 'span.match');
  });
});
