/**
 * G7 against the real server process: no page, API, metrics or socket data without an admin
 * session (or the Bearer token for machines); forged and expired cookies refused; agent keys
 * enforced on every data-plane entry when RELAY_KEYS is set; security headers on responses.
 */
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDashboard } from '../testing/dashboardClient';
import { tempDir } from '../testing/harness';
import { freePort, startServerProcess, type ServerProcess } from '../testing/serverProcess';
import { SESSION_COOKIE } from './adminAuth';
import { TokenSigner } from './signedToken';

const ADMIN = 'auth-test-admin-token-0123';
const KEY = 'agent-key-abcdef';
let server: ServerProcess;
let dash = '';
let relay = '';

beforeAll(async () => {
  const [port, relayPort] = [await freePort(), await freePort()];
  server = await startServerProcess({ PORT: String(port), RELAY_PORT: String(relayPort), XRAY_DATA_DIR: tempDir(), ADMIN_TOKEN: ADMIN, RELAY_KEYS: `${KEY},second-key-000000`, RELAY_HOST: '127.0.0.1' }, ['--no-next']);
  dash = `http://127.0.0.1:${port}`;
  relay = `http://127.0.0.1:${relayPort}`;
});
afterAll(() => server.child.kill('SIGKILL'));

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers, redirect: 'manual' });

async function login(token: string, next = '/'): Promise<Response> {
  return fetch(`${dash}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, next }).toString(), redirect: 'manual' });
}

function socketRefused(headers: Record<string, string>): Promise<string> {
  const d = new TestDashboard(dash, headers);
  return d.connected().then(
    () => {
      d.close();
      return 'connected';
    },
    (err: Error & { data?: { code: string } }) => {
      d.close();
      return err.data?.code ?? err.message;
    },
  );
}

describe('admin session', () => {
  it('[G7] refuses pages, API, metrics and sockets without a session, keeping the deep link for after login', async () => {
    const page = await get(`${dash}/trace/${'a'.repeat(32)}?node=x`);
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/trace/${'a'.repeat(32)}?node=x`)}`);
    for (const p of ['/api/agents', '/api/traces', '/metrics']) {
      const r = await get(`${dash}${p}`);
      expect(r.status).toBe(401);
      expect((await r.json()).error.code).toBe('unauthorized');
    }
    expect(await socketRefused({})).toBe('unauthorized');
    const loginPage = await get(`${dash}/login?next=/trace/x`);
    expect(loginPage.status).toBe(200);
    expect(await loginPage.text()).toContain('value="/trace/x"');
  });

  it('[G7] exchanges the admin token for an httpOnly, SameSite=Strict cookie and goes back to the deep link', async () => {
    const wrong = await login('not-the-token', '/trace/abc');
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get('location')).toContain('/login?error=invalid');
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const ok = await login(ADMIN, '/trace/abc');
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/trace/abc');
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=v1\\.`));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toMatch(/Max-Age=\d+/);
    const session = cookie.split(';')[0];
    expect((await get(`${dash}/api/agents`, { cookie: session })).status).toBe(200);
    expect(await socketRefused({ cookie: session })).toBe('connected');
    // An off-site `next` is never followed.
    expect((await login(ADMIN, '//evil.example/')).headers.get('location')).toBe('/');
  });

  it('[G7] refuses forged and expired cookies', async () => {
    const signer = new TokenSigner(ADMIN);
    const expired = signer.issue('session', 60, undefined, Date.now() - 3600_000);
    const forged = new TokenSigner('some-other-admin-token').issue('session', 3600);
    const valid = signer.issue('session', 3600);
    const tampered = valid.slice(0, -2) + (valid.endsWith('AA') ? 'BB' : 'AA');
    const embedAsSession = signer.issue('embed', 3600, 'swarm');
    for (const c of [expired, forged, tampered, embedAsSession, 'garbage']) {
      expect((await get(`${dash}/api/agents`, { cookie: `${SESSION_COOKIE}=${c}` })).status).toBe(401);
      expect(await socketRefused({ cookie: `${SESSION_COOKIE}=${c}` })).toBe('unauthorized');
    }
    expect((await get(`${dash}/api/agents`, { cookie: `${SESSION_COOKIE}=${valid}` })).status).toBe(200);
  });

  it('[G7] accepts the Bearer admin token on /api and /metrics only', async () => {
    const bearer = { authorization: `Bearer ${ADMIN}` };
    expect((await get(`${dash}/api/agents`, bearer)).status).toBe(200);
    const metrics = await get(`${dash}/metrics`, bearer);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('xray_events_committed_total');
    expect((await get(`${dash}/`, bearer)).status).toBe(302);
    expect((await get(`${dash}/api/agents`, { authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('[G7] sends security headers, with frame-ancestors none outside embeds', async () => {
    const r = await get(`${dash}/login`);
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('referrer-policy')).toBe('same-origin');
  });
});

describe('agent keys', () => {
  const wsUrl = () => relay.replace('http', 'ws') + '/ws';
  const firstMessage = (ws: WebSocket) => new Promise<{ type: string; code?: string }>((r) => ws.once('message', (m) => r(JSON.parse(m.toString()))));
  const open = (headers: Record<string, string> = {}) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(wsUrl(), { headers });
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });

  it('[G7] refuses register without a key or with a wrong one, and accepts a valid key', async () => {
    for (const key of [undefined, 'wrong-key']) {
      const ws = await open();
      ws.send(JSON.stringify({ type: 'register', name: 'keyless', ...(key ? { key } : {}) }));
      expect(await firstMessage(ws)).toMatchObject({ type: 'error', code: 'unauthorized' });
      ws.close();
    }
    const ok = await open();
    ok.send(JSON.stringify({ type: 'register', name: 'keyed', key: KEY }));
    expect(await firstMessage(ok)).toMatchObject({ type: 'registered' });
    ok.close();
    const viaHeader = await open({ authorization: `Bearer second-key-000000` });
    viaHeader.send(JSON.stringify({ type: 'register', name: 'keyed-2' }));
    expect(await firstMessage(viaHeader)).toMatchObject({ type: 'registered' });
    viaHeader.close();
    await expect(open({ authorization: 'Bearer wrong-key' })).rejects.toThrow('HTTP 401');
  });

  it('[G7] refuses REST, SSE and OTLP without a valid key with 401 unauthorized', async () => {
    const attempts: [string, RequestInit][] = [
      ['/v1/broadcast', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 't', payload: 'p' }) }],
      ['/v1/call', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: 'x', method: 'm', payload: '' }) }],
      ['/v1/subscribe?topic=t', {}],
      ['/v1/events', {}],
      ['/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }],
    ];
    for (const [p, init] of attempts) {
      for (const auth of [{}, { authorization: 'Bearer nope' }] as Record<string, string>[]) {
        const r = await fetch(`${relay}${p}`, { ...init, headers: { ...(init.headers as Record<string, string>), ...auth } });
        expect(r.status, p).toBe(401);
        expect((await r.json()).error.code).toBe('unauthorized');
      }
    }
    const ok = await fetch(`${relay}/v1/broadcast`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify({ topic: 't', payload: 'p' }) });
    expect(ok.status).toBe(200);
  });
});

describe('generated admin token', () => {
  it('[G7] is created with 0600 permissions on first start and printed once with a login link', async () => {
    const dir = tempDir();
    const [port, relayPort] = [await freePort(), await freePort()];
    const env = { PORT: String(port), RELAY_PORT: String(relayPort), XRAY_DATA_DIR: dir, ADMIN_TOKEN: '' };
    const first = await startServerProcess(env, ['--no-next']);
    first.child.kill('SIGTERM');
    await first.exited;
    const file = path.join(dir, 'admin-token');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const token = fs.readFileSync(file, 'utf8').trim();
    expect(first.output()).toContain(`/auth/login?token=${token}`);
    const second = await startServerProcess(env, ['--no-next']);
    second.child.kill('SIGTERM');
    await second.exited;
    expect(second.output()).not.toContain(token);
    expect(fs.statSync(path.join(dir, 'events.db')).mode & 0o077).toBe(0);
  });
});
