/**
 * G6, hostile names end to end, against the real server process (relay + /api + Socket.IO):
 * agents named after Object.prototype's members register through the SDK, call each other
 * with methods of the same names, stream tokens, record spans whose names and attribute keys
 * are hostile, broadcast on hostile topics — and the API and a dashboard client (applying
 * deltas with the browser's own pure functions) show every one of them, each exactly once.
 * Names the name rule refuses (markup, bidi, zero-width) are refused with a code at register,
 * and an OTLP exporter's such name is normalized to the rule. Also: the bad-URL guards hold on
 * both ports of the real process.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XrayAgent } from '../lib/sdk/xrayAgent';
import { scopeKey } from '../lib/protocol/dashboard';
import type { TraceTree } from '../lib/trace/buildTrace';
import { HOSTILE_NAMES, HOSTILE_TEXT, PROTOTYPE_NAMES, prototypeIsClean } from '../lib/testing/hostileNames';
import { TestDashboard } from './testing/dashboardClient';
import { TestAgent, tempDir, waitFor } from './testing/harness';
import { freePort, startServerProcess, type ServerProcess } from './testing/serverProcess';

const ADMIN = 'hostile-names-admin-token-0123';
const NAMES = [...PROTOTYPE_NAMES];
const TRACE = 'f'.repeat(31) + '1';
/** Span attributes keyed by every hostile name (keys up to 256 chars, values up to 4096). */
const ATTRS = Object.fromEntries(HOSTILE_NAMES.map((n) => [n.slice(0, 256), n]));
const OTLP_TRACE = 'e'.repeat(31) + '2';

let server: ServerProcess;
let dash = '';
let relay = '';
const agents: XrayAgent[] = [];
/** Topic messages each agent heard, by agent. */
const heard = new Map<string, string[]>();
const callResults: string[] = [];

const next = (i: number) => NAMES[(i + 1) % NAMES.length];
const api = async (path: string) => {
  const r = await fetch(`${dash}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return { status: r.status, body: await r.json() };
};

/** Raw bytes on the wire: fetch would normalize a target such as `//[x` before sending it. */
async function rawGet(base: string, target: string): Promise<string> {
  const { hostname, port } = new URL(base);
  const socket = net.connect(Number(port), hostname);
  socket.write(`GET ${target} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${ADMIN}\r\nConnection: close\r\n\r\n`);
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  return `${/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]} ${/"code":"([a-z_]+)"/.exec(text)?.[1]}`;
}

beforeAll(async () => {
  const [port, relayPort] = [await freePort(), await freePort()];
  server = await startServerProcess({ PORT: String(port), RELAY_PORT: String(relayPort), HOST: '127.0.0.1', XRAY_DATA_DIR: tempDir(), ADMIN_TOKEN: ADMIN }, ['--no-next']);
  dash = `http://127.0.0.1:${port}`;
  relay = `http://127.0.0.1:${relayPort}`;

  // Every agent serves a method named after itself: streams, records a hostile span, answers.
  for (const [i, name] of NAMES.entries()) {
    const a = XrayAgent.connect({ url: `ws://127.0.0.1:${relayPort}/ws`, name, capabilities: [name, HOSTILE_TEXT[0]] });
    a.handle(name, async (payload, call) => {
      await call.token(`${name} thinks `);
      await call.span(HOSTILE_TEXT[i % HOSTILE_TEXT.length].slice(0, 256), async (span) => span.token(`inside ${name}`), ATTRS);
      return `${name}:${payload}`;
    });
    heard.set(name, []);
    // Each agent listens on the previous agent's name as a topic.
    a.subscribe(NAMES[(i + NAMES.length - 1) % NAMES.length], (payload) => heard.get(name)!.push(payload));
    agents.push(a);
  }
  await Promise.all(agents.map((a) => a.ready()));
  await waitFor(async () => (await (await fetch(`${relay}/v1/events?kind=subscribe&limit=1000`)).json()).events.length >= NAMES.length, 5000, 'subscriptions stored');

  // Each calls the next (method = the callee's name), in one trace; then broadcasts on its own name.
  for (const [i, a] of agents.entries()) callResults.push(await a.call(next(i), next(i), `from ${NAMES[i]}`, { traceId: TRACE }));
  for (const [i, a] of agents.entries()) await a.broadcast(NAMES[i], `news from ${NAMES[i]}`);
  await Promise.all(agents.map((a) => a.flush()));

  // An OTLP exporter whose service name is markup, with hostile attribute keys.
  const otlp = await fetch(`${relay}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: HOSTILE_TEXT[0] } }] },
          scopeSpans: [{ spans: [{ traceId: OTLP_TRACE, spanId: '1'.repeat(16), name: HOSTILE_TEXT[2], startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000500000000', attributes: Object.keys(ATTRS).map((key) => ({ key, value: { stringValue: 'v' } })) }] }],
        },
      ],
    }),
  });
  expect(otlp.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.close(200)));
  server?.child.kill('SIGKILL');
});

describe('[G6] hostile names end to end', () => {
  it('registers, calls, streams and broadcasts through the SDK as ordinary agents', async () => {
    expect(callResults).toEqual(NAMES.map((_, i) => `${next(i)}:from ${NAMES[i]}`));
    await waitFor(() => NAMES.every((n) => heard.get(n)!.length === 1), 5000, 'every hostile topic delivered');
    for (const [i, n] of NAMES.entries()) expect(heard.get(n)).toEqual([`news from ${NAMES[(i + NAMES.length - 1) % NAMES.length]}`]);
  });

  it.each(HOSTILE_TEXT.map((n) => [n.slice(0, 40), n]))('refuses to register the name %s with a code', async (_label, name) => {
    const a = await TestAgent.connect(relay.replace('http', 'ws') + '/ws');
    a.send({ type: 'register', name });
    expect(await a.next((m) => m.type === 'error' || m.type === 'registered')).toMatchObject({ type: 'error', code: 'invalid_message' });
    await a.close();
  });

  it('lists every hostile agent once in /api/agents with its own counters', async () => {
    const r = await api('/api/agents');
    expect(r.status).toBe(200);
    const byName = new Map<string, { name: string; callsIn: number; callsOut: number; tokens: number; capabilities: string[] }>(r.body.agents.map((a: { name: string }) => [a.name, a]));
    for (const n of NAMES) {
      expect(r.body.agents.filter((a: { name: string }) => a.name === n)).toHaveLength(1);
      expect(byName.get(n)).toMatchObject({ callsIn: 1, callsOut: 1, tokens: 2, capabilities: [n, HOSTILE_TEXT[0]] });
    }
  });

  it.each(NAMES.map((n) => [n]))('answers /api/agents/%s with that agent’s stats and traces', async (name) => {
    const r = await api(`/api/agents/${encodeURIComponent(name)}`);
    expect(r.status).toBe(200);
    expect(r.body.agent.name).toBe(name);
    expect(r.body.stats.served.count).toBe(1);
    expect(r.body.stats.made.count).toBe(1);
    expect(r.body.traces.map((t: { trace_id: string }) => t.trace_id)).toContain(TRACE);
  });

  it('rebuilds the trace with every hostile method, span name and attribute key', async () => {
    const list = await api(`/api/traces?agent=${encodeURIComponent('__proto__')}`);
    expect(list.body.traces.map((t: { trace_id: string }) => t.trace_id)).toContain(TRACE);
    const r = await api(`/api/traces/${TRACE}`);
    expect(r.status).toBe(200);
    const tree = r.body as TraceTree;
    const nodes = Object.values(tree.nodes);
    expect(nodes.filter((n) => n.kind === 'call').map((n) => n.name).sort()).toEqual([...NAMES].sort());
    const spans = nodes.filter((n) => n.kind === 'span');
    expect(spans).toHaveLength(NAMES.length);
    for (const s of spans) {
      expect(Object.keys(s.attributes).sort()).toEqual(Object.keys(ATTRS).sort()); // `__proto__` included
      expect(s.text).toBe(`inside ${s.agent}`);
    }
    expect(tree.agents.slice().sort()).toEqual([...NAMES].sort());
    const otlp = (await api(`/api/traces/${OTLP_TRACE}`)).body as TraceTree;
    expect(Object.keys(Object.values(otlp.nodes)[0].attributes)).toEqual(expect.arrayContaining(Object.keys(ATTRS)));
    // The exporter's markup name, normalized to the name rule.
    expect(otlp.agents).toEqual(['_img_src_x_onerror_alert_1__']);
    // Text search finds hostile recorded text.
    expect((await api(`/api/traces?q=${encodeURIComponent('onerror=alert')}`)).body.traces.map((t: { trace_id: string }) => t.trace_id)).toEqual(expect.arrayContaining([TRACE]));
  });

  it('shows every hostile agent, its edges and its token stream to a dashboard client', async () => {
    const d = new TestDashboard(dash, { authorization: `Bearer ${ADMIN}` });
    try {
      await d.connected();
      expect((await d.subscribe({ kind: 'overview' })).ok).toBe(true);
      for (const name of ['constructor', '__proto__']) expect((await d.subscribe({ kind: 'agent', name })).ok).toBe(true);
      await waitFor(() => NAMES.every((n) => d.overview.agents.get(n)?.tokens === 2), 5000, 'every hostile agent in the overview');
      for (const [i, n] of NAMES.entries()) {
        expect(d.overview.agents.get(n)).toMatchObject({ name: n, callsIn: 1, callsOut: 1, connected: true });
        expect(d.overview.edges.has(`call ${n} ${next(i)}`)).toBe(true);
        expect(d.overview.edges.has(`topic ${n} ${n}`)).toBe(true); // the topic and who spoke on it
      }
      for (const name of ['constructor', '__proto__']) {
        const s = await waitFor(() => d.streams.get(scopeKey({ kind: 'agent', name })), 5000, `stream of ${name}`);
        expect([...s.spans.values()].map((x) => x.text).sort()).toEqual([`${name} thinks `, `inside ${name}`].sort());
      }
      expect(d.gaps).toBe(0);
      expect(prototypeIsClean()).toBe(true);
    } finally {
      d.close();
    }
  });

  it('answers malformed URLs with 400 bad_url on both ports and keeps running', async () => {
    expect(await rawGet(relay, '//[x')).toBe('400 bad_url');
    expect(await rawGet(dash, '//[x')).toBe('400 bad_url');
    expect(await rawGet(dash, '/api/agents/%ZZ')).toBe('400 bad_url');
    expect(await rawGet(dash, `/api/traces/%E0%A4%A`)).toBe('400 bad_url');
    expect(await rawGet(dash, '/trace/%ZZ')).toBe('400 bad_url'); // a page path (Next answered 500)
    expect((await fetch(`${relay}/healthz`)).status).toBe(200);
    expect((await api('/api/health')).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    expect(server.output()).not.toMatch(/unexpected error|uncaught/i);
  });
});
