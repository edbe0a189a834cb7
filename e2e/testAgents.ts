/** Node-side helpers for e2e tests: a scripted agent on the demo server's relay, and a second server the test can stop and start. */
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { E2E } from '../playwright.config';
import { writeBigTrace } from '../scripts/bigTrace';
import { HOSTILE_NAMES } from '../lib/testing/hostileNames';
import { startServerProcess, type ServerProcess } from '../server/testing/serverProcess';

export const relayHttp = `http://127.0.0.1:${E2E.relayPort}`;

/** Registers an agent that answers `process` with an error (and streams a little first). */
export async function faultyAgent(name: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${E2E.relayPort}/ws`);
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'register', name })));
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.type === 'registered') resolve();
      if (m.type === 'inbound_call') {
        ws.send(JSON.stringify({ type: 'token', correlation_id: m.correlation_id, text: 'thinking about it… ' }));
        ws.send(JSON.stringify({ type: 'call_response', correlation_id: m.correlation_id, error: 'injected failure: tool crashed' }));
      }
    });
    ws.on('error', reject);
  });
  return ws;
}

export async function callAgent(to: string, payload = '{}', traceId?: string): Promise<{ status: number; body: { trace_id?: string } }> {
  const r = await fetch(`${relayHttp}/v1/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to, method: 'process', payload, ...(traceId ? { trace_id: traceId } : {}) }) });
  return { status: r.status, body: await r.json() };
}

/** A second X-Ray server on its own ports, using the same build and admin token as the suite. */
export class SpareServer {
  private proc: ServerProcess | null = null;
  readonly port = 3190;
  readonly relayPort = 9190;
  readonly dataDir = path.join(os.tmpdir(), `xray-e2e-spare-${process.pid}-${Date.now()}`);

  async start(): Promise<void> {
    this.proc = await startServerProcess({ PORT: String(this.port), RELAY_PORT: String(this.relayPort), XRAY_DATA_DIR: this.dataDir, ADMIN_TOKEN: E2E.adminToken }, []);
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = null;
    proc.child.kill('SIGTERM');
    await proc.exited;
  }
}

/**
 * A chain that fails two levels deep: REST → e2e-planner (streams a plan) → e2e-tool
 * (streams, then errors) → the planner fails too. Returns the trace id.
 */
export async function failingChain(): Promise<{ traceId: string; close(): void }> {
  const open = (name: string, onMessage: (ws: WebSocket, m: any) => void) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${E2E.relayPort}/ws`);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'register', name })));
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString());
        if (m.type === 'registered') resolve(ws);
        else onMessage(ws, m);
      });
      ws.on('error', reject);
    });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const send = (ws: WebSocket, m: unknown) => ws.send(JSON.stringify(m));
  const pending = new Map<string, (m: any) => void>();
  const tool = await open('e2e-tool', async (ws, m) => {
    if (m.type !== 'inbound_call') return;
    for (const w of ['searching ', 'the ', 'index…']) {
      send(ws, { type: 'token', correlation_id: m.correlation_id, text: w });
      await sleep(60);
    }
    send(ws, { type: 'call_response', correlation_id: m.correlation_id, error: 'index offline' });
  });
  const planner = await open('e2e-planner', async (ws, m) => {
    if (m.type === 'call_result') return pending.get(m.ref)?.(m);
    if (m.type !== 'inbound_call') return;
    const words = ['Planning ', 'step ', 'one: ', 'look ', 'up ', 'the ', 'facts ', 'in ', 'the ', 'index.'];
    for (const w of words) {
      send(ws, { type: 'token', correlation_id: m.correlation_id, text: w });
      await sleep(80);
    }
    const result = await new Promise<any>((resolve) => {
      pending.set('lookup', resolve);
      send(ws, { type: 'call', ref: 'lookup', to: 'e2e-tool', method: 'lookup', payload: 'facts', trace_id: m.trace_id, parent_span_id: m.span_id });
    });
    send(ws, { type: 'call_response', correlation_id: m.correlation_id, error: `lookup failed: ${result.error?.message}` });
  });
  const r = await callAgent('e2e-planner', '{"task":"plan"}');
  if (r.status !== 502 || !r.body.trace_id) throw new Error(`expected the chain to fail with a trace id, got ${r.status}`);
  return {
    traceId: r.body.trace_id,
    close: () => {
      tool.close();
      planner.close();
    },
  };
}

/** Writes a trace of `spans` spans × `tokensPerSpan` tokens through POST /v1/frames. */
export const bigTrace = (traceId: string, spans: number, tokensPerSpan: number) => writeBigTrace(relayHttp, traceId, spans, tokensPerSpan);

/**
 * Agents named after Object.prototype's members (G6). Each answers a call by recording a span
 * whose name is `spanName` and whose attribute keys are every hostile name, streaming a few
 * tokens into it; each broadcasts on a topic of its own name. A REST call enters at the first
 * name and is passed along the chain, so one trace runs through all of them.
 */
export async function hostileSwarm(names: readonly string[], spanName: string): Promise<{ traceId: string; close(): void }> {
  const send = (ws: WebSocket, m: unknown) => ws.send(JSON.stringify(m));
  const attributes = Object.fromEntries(HOSTILE_NAMES.map((n) => [n.slice(0, 256), n.slice(0, 4096)]));
  const sockets: WebSocket[] = [];
  for (const [i, name] of names.entries()) {
    const ws = new WebSocket(`ws://127.0.0.1:${E2E.relayPort}/ws`);
    const pending = new Map<string, (m: any) => void>();
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => send(ws, { type: 'register', name, capabilities: [name, spanName] }));
      ws.on('error', reject);
      ws.on('message', async (d) => {
        const m = JSON.parse(d.toString());
        if (m.type === 'registered') resolve();
        if (m.type === 'error' && !sockets.includes(ws)) reject(new Error(`${name}: ${m.code} ${m.message}`));
        if (m.type === 'call_result') pending.get(m.ref)?.(m);
        if (m.type !== 'inbound_call') return;
        const span = crypto.randomUUID().replace(/-/g, '').slice(0, 16);
        const where = { trace_id: m.trace_id, span_id: span };
        send(ws, { type: 'span.start', ...where, parent_span_id: m.span_id, name: spanName, attributes });
        for (const w of [`${name} `, 'thinks ', 'hard.']) send(ws, { type: 'token', ...where, text: w });
        send(ws, { type: 'span.end', ...where, status: 'ok', attributes });
        const nextName = names[i + 1];
        if (nextName) {
          await new Promise((done) => {
            pending.set(m.correlation_id, done);
            send(ws, { type: 'call', ref: m.correlation_id, to: nextName, method: nextName, payload: `from ${name}`, trace_id: m.trace_id, parent_span_id: m.span_id });
          });
        }
        send(ws, { type: 'call_response', correlation_id: m.correlation_id, payload: `${name} done` });
      });
    });
    send(ws, { type: 'broadcast', topic: name, payload: `hello from ${name}` });
    sockets.push(ws);
  }
  const r = await fetch(`${relayHttp}/v1/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: names[0], method: names[0], payload: 'start', timeout_ms: 10_000 }) });
  const body = (await r.json()) as { trace_id?: string };
  if (r.status !== 200 || !body.trace_id) throw new Error(`the hostile chain failed: ${r.status} ${JSON.stringify(body)}`);
  return { traceId: body.trace_id, close: () => sockets.forEach((ws) => ws.close()) };
}
