/**
 * Export against a local OTLP/HTTP receiver (a small HTTP server decoding what arrives with
 * our own OTLP/JSON decoder): relay calls from agents that know nothing of OpenTelemetry
 * arrive as spans with their token count and time to first token; a failing receiver is
 * retried with backoff; a full queue drops and counts; `?format=otlp` serves one trace.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { postJson, tempDir, TestAgent, waitFor } from '../../testing/harness';
import { startXray, type Xray } from '../../xray';
import { decodeOtlpJson } from '../otlpJson';
import { decodeOtlpProtobuf } from '../otlpProtobuf';
import type { OtlpSpan } from '../otlpSpan';
import { OtlpExporter } from './otlpExporter';

const ADMIN_TOKEN = 'export-test-admin-token';

interface Receiver {
  url: string;
  spans: OtlpSpan[];
  requests: number;
  types: string[];
  /** Status codes to answer before accepting (a flaky backend). */
  failNext: number[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const r: Receiver = { url: '', spans: [], requests: 0, types: [], failNext: [], close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.requests++;
      const fail = r.failNext.shift();
      if (fail) {
        res.writeHead(fail).end();
        return;
      }
      const body = Buffer.concat(chunks);
      r.types.push(req.headers['content-type'] ?? '');
      r.spans.push(...(req.headers['content-type'] === 'application/json' ? decodeOtlpJson(JSON.parse(body.toString('utf8'))) : decodeOtlpProtobuf(body)));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  r.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/traces`;
  r.close = () => new Promise((ok) => server.close(() => ok()));
  return r;
}

let receiver: Receiver;
let xray: Xray;
let relayUrl = '';
let dashUrl = '';

beforeAll(async () => {
  receiver = await startReceiver();
  const config = { ...loadConfig({ NODE_ENV: 'test', ADMIN_TOKEN, XRAY_OTLP_EXPORT_URL: receiver.url }), port: 0, relayPort: 0, host: '127.0.0.1', dataDir: tempDir() };
  xray = await startXray(config, { next: false });
  relayUrl = `http://127.0.0.1:${xray.data.relayPort}`;
  dashUrl = `http://127.0.0.1:${xray.observation!.port}`;
});
afterAll(async () => {
  await xray?.close();
  await receiver?.close();
});

describe('[V6] OTLP export', () => {
  it('forwards relay calls as spans with token count and time to first token, and SDK span frames, batched', async () => {
    const worker = await TestAgent.connect(`ws://127.0.0.1:${xray.data.relayPort}/ws`, 'plain-worker');
    worker.ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString());
      if (m.type !== 'inbound_call') return;
      setTimeout(() => {
        worker.send({ type: 'frames', frames: [{ type: 'token', correlation_id: m.correlation_id, text: 'Hello ' }, { type: 'token', correlation_id: m.correlation_id, text: 'there' }, { type: 'span.start', trace_id: m.trace_id, span_id: '5'.repeat(16), parent_span_id: m.span_id, name: 'lookup', attributes: { 'gen_ai.request.model': 'gpt-4o-mini' } }, { type: 'span.end', trace_id: m.trace_id, span_id: '5'.repeat(16), attributes: { 'gen_ai.usage.input_tokens': 12 } }] });
        setTimeout(() => worker.send({ type: 'call_response', correlation_id: m.correlation_id, payload: 'Hello there' }), 30);
      }, 25);
    });
    receiver.failNext.push(503); // the first batch is retried
    // A REST body's `from` is unverified (G3): the caller is the REST principal `rest`.
    const call = await postJson(`${relayUrl}/v1/call`, { to: 'plain-worker', method: 'greet', payload: 'hi', from: 'front', session: 'conv-x' });
    expect(call.status).toBe(200);
    const traceId = call.body.trace_id as string;
    const callSpan = await waitFor(() => receiver.spans.find((s) => s.traceId === traceId && s.spanId === call.body.span_id), 10_000, 'the call span at the receiver');
    expect(callSpan.name).toBe('greet plain-worker');
    expect(callSpan.resource['service.name']).toBe('plain-worker');
    expect(callSpan.attributes).toMatchObject({ 'gen_ai.agent.name': 'plain-worker', 'gen_ai.operation.name': 'invoke_agent', 'xray.call.caller': 'rest', 'xray.tokens': 2, 'input.value': 'hi', 'output.value': 'Hello there', 'gen_ai.conversation.id': 'conv-x' });
    expect(callSpan.attributes['xray.time_to_first_token_ms']).toBeGreaterThanOrEqual(20);
    expect(callSpan.endMs).toBeGreaterThan(callSpan.startMs);
    const frameSpan = await waitFor(() => receiver.spans.find((s) => s.spanId === '5'.repeat(16)), 5000, 'the SDK span');
    expect(frameSpan).toMatchObject({ parentSpanId: call.body.span_id, name: 'lookup' });
    expect(frameSpan.attributes).toMatchObject({ 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 12, 'gen_ai.agent.name': 'plain-worker' });
    expect(xray.exporter!.stats.retries).toBeGreaterThanOrEqual(1);
    expect(new Set(receiver.types)).toEqual(new Set(['application/x-protobuf'])); // the OpenTelemetry default
    await worker.close();

    const metrics = await (await fetch(`${dashUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    expect(Number(/^xray_otlp_export_spans_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    expect(metrics).toMatch(/^xray_otlp_export_retries_total [1-9]/m);
    expect(metrics).toMatch(/^xray_otlp_export_dropped_spans_total 0$/m);

    // One trace on demand, in the same encoding.
    const res = await fetch(`${dashUrl}/api/traces/${traceId}?format=otlp`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    const spans = decodeOtlpJson(await res.json());
    expect(spans.map((s) => s.spanId).sort()).toEqual([call.body.span_id, '5'.repeat(16)].sort());
    expect(spans.find((s) => s.spanId === call.body.span_id)!.attributes).toMatchObject({ 'xray.tokens': 2, 'output.value': 'Hello there' });
    const bad = await fetch(`${dashUrl}/api/traces/${traceId}?format=xml`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(bad.status).toBe(400);
  });

  it('speaks OTLP/JSON when asked (XRAY_OTLP_EXPORT_PROTOCOL=http/json)', async () => {
    const jsonReceiver = await startReceiver();
    const exporter = new OtlpExporter({ url: jsonReceiver.url, protocol: 'http/json', flushIntervalMs: 60_000 });
    exporter.enqueue({ traceId: 'b'.repeat(32), spanId: 'c'.repeat(16), parentSpanId: null, name: 'json span', kind: 1, startMs: 1, endMs: 2, agent: 'j', attributes: { 'xray.tokens': 3 }, status: 'ok', error: null });
    await exporter.flush();
    expect(jsonReceiver.types).toEqual(['application/json']);
    expect(jsonReceiver.spans[0]).toMatchObject({ name: 'json span', attributes: { 'xray.tokens': 3 } });
    await exporter.close();
    await jsonReceiver.close();
  });

  it('[G6] a full queue drops and counts instead of growing; a dead backend costs retries, not ingest', async () => {
    const exporter = new OtlpExporter({ url: 'http://127.0.0.1:9/v1/traces', maxQueue: 5, maxBatch: 100, flushIntervalMs: 60_000, maxRetries: 1, backoffMs: 1, timeoutMs: 500 });
    const span = (i: number) => ({ traceId: 'a'.repeat(32), spanId: i.toString(16).padStart(16, '0'), parentSpanId: null, name: 's', kind: 1, startMs: 1, endMs: 2, agent: 'x', attributes: {}, status: 'ok' as const, error: null });
    for (let i = 1; i <= 50; i++) exporter.enqueue(span(i));
    // Synchronous: the queue is bounded the moment enqueue returns, nothing waits on the network.
    expect(exporter.stats).toMatchObject({ queued: 5, dropped: 45 });
    await exporter.flush();
    expect(exporter.stats).toMatchObject({ queued: 0, exported: 0, dropped: 50, retries: 1, failedBatches: 2 });
    await exporter.close();
  });
});
