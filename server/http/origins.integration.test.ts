/**
 * G7, browsers on other origins, against the real server process: a page on another origin
 * (or another port of this host, or a DNS-rebinding name) cannot register an agent, call a
 * worker, read the log or the dashboard socket, mint embed tokens, or log the admin out.
 * Each refusal is coded and nothing is stored or called; the allowed origin still works.
 */
import http from 'node:http';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDashboard } from '../testing/dashboardClient';
import { tempDir, TestAgent, waitFor } from '../testing/harness';
import { freePort, startServerProcess, type ServerProcess } from '../testing/serverProcess';

const ADMIN = 'origins-test-admin-token-0123';
const ALLOWED = 'https://tool.example';
let server: ServerProcess;
let port = 0;
let relayPort = 0;
let dash = '';
let relay = '';
let worker: TestAgent;
const inbound: unknown[] = [];
let cookie = '';

beforeAll(async () => {
  [port, relayPort] = [await freePort(), await freePort()];
  server = await startServerProcess(
    { PORT: String(port), RELAY_PORT: String(relayPort), XRAY_DATA_DIR: tempDir(), ADMIN_TOKEN: ADMIN, RELAY_HOST: '127.0.0.1', RELAY_ALLOWED_ORIGINS: ALLOWED },
    ['--no-next'],
  );
  dash = `http://127.0.0.1:${port}`;
  relay = `http://127.0.0.1:${relayPort}`;
  worker = await TestAgent.connect(`ws://127.0.0.1:${relayPort}/ws`, 'origin-worker');
  worker.ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    if (m.type !== 'inbound_call') return;
    inbound.push(m);
    worker.send({ type: 'call_response', correlation_id: m.correlation_id, payload: `secret:${m.payload}` });
  });
  const login = await fetch(`${dash}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: dash }, body: `token=${ADMIN}`, redirect: 'manual' });
  cookie = login.headers.get('set-cookie')!.split(';')[0];
});
afterAll(async () => {
  await worker?.close();
  server?.child.kill('SIGKILL');
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  code?: string;
}

/** A raw HTTP request: unlike fetch, it may set Host, Origin and Sec-Fetch-* like a browser would. */
function request(target: number, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: target, method, path, headers: { host: `127.0.0.1:${target}`, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let code: string | undefined;
        try {
          code = JSON.parse(text).error?.code;
        } catch {
          code = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, code });
      });
      // SSE never ends: the status and headers are enough.
      if ((res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
        req.destroy();
      }
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a WebSocket to the relay with browser-like headers; resolves 'open' or the refusal's status and code. */
function upgrade(headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${relayPort}/ws`, { headers });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve(`${res.statusCode} ${JSON.parse(text).error.code}`));
    });
    ws.once('error', () => undefined);
  });
}

const head = async () => (await (await fetch(`${relay}/healthz`)).json()).head as number;
const agents = async () => ((await (await fetch(`${relay}/v1/agents`)).json()).agents as { name: string }[]).map((a) => a.name);
const callBody = JSON.stringify({ to: 'origin-worker', method: 'read', payload: 'x' });

describe('relay: browsers on other origins', () => {
  it('[G7] a WebSocket upgrade from another origin is refused before any agent exists', async () => {
    const before = await head();
    for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${port}`, `http://localhost:${relayPort + 1}`]) {
      expect(await upgrade({ origin }), origin).toBe('403 origin_not_allowed');
    }
    expect(await agents()).toEqual(['origin-worker']);
    expect(await head()).toBe(before);
  });

  it('[G7] REST calls, broadcasts, SSE, replay and OTLP from another origin are refused; the worker is never called', async () => {
    const before = await head();
    const evil = { origin: 'https://evil.example' };
    const json = { ...evil, 'content-type': 'application/json' };
    const attempts: [string, string, Record<string, string>, string?][] = [
      ['POST', '/v1/call', json, callBody],
      // A "no-cors" POST: a page may send it without any preflight, with a text/plain body.
      ['POST', '/v1/call', { ...evil, 'content-type': 'text/plain;charset=UTF-8' }, callBody],
      ['POST', '/v1/broadcast', json, JSON.stringify({ topic: 't', payload: 'p' })],
      ['POST', '/v1/frames', { ...json, 'x-agent-name': 'page' }, JSON.stringify([{ type: 'token', text: 'x' }])],
      ['POST', '/v1/traces', json, '{"resourceSpans":[]}'],
      ['GET', '/v1/subscribe?topic=t', evil],
      ['GET', '/v1/events', evil],
      ['GET', '/v1/agents', evil],
      ['OPTIONS', '/v1/call', { ...evil, 'access-control-request-method': 'POST' }],
      // No Origin, but the browser marks it cross-site (an <img> or a no-cors GET).
      ['GET', '/v1/subscribe?topic=t', { 'sec-fetch-site': 'cross-site' }],
    ];
    for (const [method, path, headers, body] of attempts) {
      const r = await request(relayPort, method, path, headers, body);
      expect(`${method} ${path} → ${r.status} ${r.code}`).toBe(`${method} ${path} → 403 origin_not_allowed`);
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(inbound).toEqual([]);
    expect(await head()).toBe(before);
  });

  it('[G7] the allowed origin may register, call and read the answer (CORS), preflight included', async () => {
    expect(await upgrade({ origin: ALLOWED })).toBe('open');
    const pre = await request(relayPort, 'OPTIONS', '/v1/call', { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(pre.headers['access-control-allow-headers']).toContain('content-type');
    const r = await request(relayPort, 'POST', '/v1/call', { origin: ALLOWED, 'content-type': 'application/json' }, callBody);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).payload).toBe('secret:x');
    expect(r.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(r.headers.vary).toContain('Origin');
    expect(inbound).toHaveLength(1);
    inbound.length = 0;
  });

  it('[G7] a DNS-rebinding Host is refused on the loopback relay (REST, SSE and upgrade); its own names answer', async () => {
    for (const host of [`attacker.example:${relayPort}`, `localhost.attacker.example:${relayPort}`, `localhost:${relayPort + 1}`, 'localhost']) {
      for (const path of ['/v1/events', '/v1/subscribe?topic=t', '/v1/agents', '/healthz']) {
        const r = await request(relayPort, 'GET', path, { host });
        expect(`${host}${path} → ${r.status} ${r.code}`).toBe(`${host}${path} → 421 host_not_allowed`);
      }
      expect(await upgrade({ host })).toBe('421 host_not_allowed');
    }
    for (const host of [`localhost:${relayPort}`, `127.0.0.1:${relayPort}`, `[::1]:${relayPort}`]) {
      expect((await request(relayPort, 'GET', '/v1/events', { host })).status, host).toBe(200);
    }
  });

  it('[G7] a REST body must declare JSON (or NDJSON / protobuf where accepted): 415 otherwise, nothing stored', async () => {
    const before = await head();
    const bodies: [string, Record<string, string>, string][] = [
      ['/v1/broadcast', { 'content-type': 'text/plain' }, JSON.stringify({ topic: 't', payload: 'p' })],
      ['/v1/broadcast', {}, JSON.stringify({ topic: 't', payload: 'p' })],
      ['/v1/call', { 'content-type': 'application/x-www-form-urlencoded' }, callBody],
      ['/v1/call', { 'content-type': 'multipart/form-data; boundary=x' }, callBody],
      ['/v1/frames', { 'content-type': 'text/plain', 'x-agent-name': 'a' }, '[{"type":"token","text":"x"}]'],
      ['/v1/traces', { 'content-type': 'text/plain' }, '{"resourceSpans":[]}'],
      ['/v1/traces', { 'content-type': 'application/x-ndjson' }, '{"resourceSpans":[]}'],
    ];
    for (const [path, headers, body] of bodies) {
      const r = await request(relayPort, 'POST', path, headers, body);
      expect(`${path} ${headers['content-type']} → ${r.status} ${r.code}`).toBe(`${path} ${headers['content-type']} → 415 unsupported_media_type`);
    }
    expect(inbound).toEqual([]);
    expect(await head()).toBe(before);
    const ndjson = await request(relayPort, 'POST', '/v1/frames', { 'content-type': 'application/x-ndjson', 'x-agent-name': 'nd' }, '{"type":"token","text":"a"}\n');
    expect(ndjson.status).toBe(200);
  });
});

function socketResult(headers: Record<string, string>): Promise<string> {
  const d = new TestDashboard(dash, headers);
  return d.connected().then(
    () => {
      d.close();
      return 'connected';
    },
    (err: Error & { data?: { code: string } }) => {
      d.close();
      return err.data?.code ?? 'refused';
    },
  );
}

describe('dashboard: browsers on other origins', () => {
  it("[G7] the dashboard socket refuses another origin (another port of this host included), even with the admin's cookie", async () => {
    expect(await socketResult({ cookie, origin: dash })).toBe('connected');
    expect(await socketResult({ cookie, origin: `http://localhost:${port}`, host: `localhost:${port}` })).toBe('connected');
    expect(await socketResult({ cookie })).toBe('connected'); // not a browser
    for (const origin of [`http://127.0.0.1:${port + 1}`, `http://localhost:${port}`, `https://127.0.0.1:${port}`, 'https://evil.example', 'null']) {
      expect(await socketResult({ cookie, origin }), origin).toBe('refused');
    }
    expect(await socketResult({ cookie, 'sec-fetch-site': 'same-site' })).toBe('refused');
    // The handshake itself answers 403 with the code (polling transport).
    const r = await request(port, 'GET', '/socket.io/?EIO=4&transport=polling', { cookie, origin: `http://127.0.0.1:${port + 1}` });
    expect(r.status).toBe(403);
    expect(r.body).toContain('origin_not_allowed');
  });

  it('[G7] state-changing dashboard requests need the dashboard origin: embed tokens, login, logout', async () => {
    const mint = (headers: Record<string, string>) =>
      request(port, 'POST', '/api/embed-tokens', { cookie, 'content-type': 'application/json', ...headers }, JSON.stringify({ scope: 'swarm' }));
    const foreign: Record<string, string>[] = [{ origin: `http://127.0.0.1:${port + 1}` }, { origin: 'https://evil.example' }, { 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': 'cross-site' }];
    for (const h of foreign) {
      const r = await mint(h);
      expect(`${JSON.stringify(h)} → ${r.status} ${r.code}`).toBe(`${JSON.stringify(h)} → 403 origin_not_allowed`);
      expect(r.body).not.toContain('token');
    }
    expect((await mint({ origin: dash, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // Reads from another origin are refused as well (a cross-origin fetch carries Origin).
    expect((await request(port, 'GET', '/api/agents', { cookie, origin: `http://127.0.0.1:${port + 1}` })).code).toBe('origin_not_allowed');
    // Login CSRF: no session is handed out to a cross-site form.
    const login = await request(port, 'POST', '/auth/login', { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, `token=${ADMIN}`);
    expect(login.status).toBe(403);
    expect(login.headers['set-cookie']).toBeUndefined();
    const linkLogin = await request(port, 'GET', `/auth/login?token=${ADMIN}`, { 'sec-fetch-site': 'cross-site' });
    expect(linkLogin.status).toBe(403);
    expect(linkLogin.headers['set-cookie']).toBeUndefined();
    // Logout CSRF: a page on another port cannot end (or touch) the admin's session.
    for (const h of foreign.slice(0, 3)) {
      const r = await request(port, 'POST', '/auth/logout', { cookie, ...h });
      expect(r.status).toBe(403);
      expect(r.code).toBe('origin_not_allowed');
    }
    expect((await request(port, 'GET', '/auth/logout', { cookie })).status).toBe(405);
    expect((await request(port, 'GET', '/api/agents', { cookie })).status).toBe(200);
    // Deep links opened from another site (a chat message) still work: a navigation carries no Origin.
    const nav = await request(port, 'GET', `/trace/${'a'.repeat(32)}`, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' });
    expect(nav.status).not.toBe(403);
  });

  it('[G7] a page on another origin driving the relay left the worker untouched', async () => {
    await waitFor(() => worker.ws.readyState === WebSocket.OPEN, 1000, 'worker still connected');
    expect(inbound).toEqual([]);
    // Every refusal is counted for Prometheus.
    const metrics = await (await fetch(`${dash}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    const value = (sample: string) => Number(metrics.split('\n').find((l) => l.startsWith(`${sample} `))?.split(' ')[1]);
    expect(value('xray_origin_refused_total{plane="relay"}')).toBeGreaterThanOrEqual(14);
    expect(value('xray_origin_refused_total{plane="dashboard"}')).toBeGreaterThanOrEqual(10);
    expect(value('xray_relay_host_refused_total')).toBeGreaterThanOrEqual(16);
    expect(value('xray_relay_media_type_refused_total')).toBeGreaterThanOrEqual(5);
  });
});
