/**
 * G7, auth edges, against the real server process: logout revokes the session server-side
 * (cookie refused, live socket dropped, across a restart); failed logins and wrong agent keys
 * back off per address with 429 + Retry-After and no guess evaluated while locked; a socket
 * that presents a wrong key is closed; short keys stop the start-up; hostile `next` values
 * never leave the origin and never cause a 500.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDashboard } from '../testing/dashboardClient';
import { tempDir, waitFor } from '../testing/harness';
import { freePort, startServerProcess, type ServerProcess } from '../testing/serverProcess';

const ADMIN = 'edges-test-admin-token-0123';
const KEY = 'edges-agent-key-0123456789';
const dataDir = tempDir();
let server: ServerProcess;
let port = 0;
let relayPort = 0;
let dash = '';
let relay = '';
const env = () => ({
  PORT: String(port),
  RELAY_PORT: String(relayPort),
  XRAY_DATA_DIR: dataDir,
  ADMIN_TOKEN: ADMIN,
  RELAY_KEYS: KEY,
  RELAY_HOST: '127.0.0.1',
  // Small numbers so the backoff shows within seconds: 3 free failures, then 1 s, 2 s, 4 s (cap).
  XRAY_AUTH_FREE_ATTEMPTS: '3',
  XRAY_AUTH_BACKOFF_MAX_S: '4',
});

beforeAll(async () => {
  [port, relayPort] = [await freePort(), await freePort()];
  server = await startServerProcess(env(), ['--no-next']);
  dash = `http://127.0.0.1:${port}`;
  relay = `http://127.0.0.1:${relayPort}`;
});
afterAll(() => server?.child.kill('SIGKILL'));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A login through the form, as the browser sends it (same-origin). */
function login(token: string, next = '/'): Promise<Response> {
  return fetch(`${dash}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: dash },
    body: new URLSearchParams({ token, next }).toString(),
    redirect: 'manual',
  });
}

async function sessionCookie(): Promise<string> {
  const r = await login(ADMIN);
  expect(r.status).toBe(303);
  return r.headers.get('set-cookie')!.split(';')[0];
}

/** One sample of /metrics (the Bearer admin token, as Prometheus sends it). */
async function metricValue(sample: string): Promise<number> {
  const text = await (await fetch(`${dash}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : NaN;
}

const apiStatus = async (cookie: string) => (await fetch(`${dash}/api/agents`, { headers: { cookie } })).status;

describe('logout', () => {
  it('[G7] revokes the session server-side: the cookie stops working and the live socket is disconnected', async () => {
    const cookie = await sessionCookie();
    const other = await sessionCookie(); // another browser's session stays valid
    const d = new TestDashboard(dash, { cookie });
    await d.connected();
    const errors: { code: string }[] = [];
    d.socket.on('xray:error', (e) => errors.push(e));
    const disconnected = new Promise<string>((r) => d.socket.once('disconnect', (reason) => r(reason)));
    const out = await fetch(`${dash}/auth/logout`, { method: 'POST', headers: { cookie, origin: dash }, redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect(await disconnected).toBe('io server disconnect');
    expect(errors).toEqual([expect.objectContaining({ code: 'unauthorized' })]);
    // The old cookie, replayed by anyone who kept it, is refused everywhere.
    expect(await apiStatus(cookie)).toBe(401);
    expect((await fetch(`${dash}/trace/${'a'.repeat(32)}`, { headers: { cookie }, redirect: 'manual' })).status).toBe(302);
    const again = new TestDashboard(dash, { cookie });
    await expect(again.connected()).rejects.toMatchObject({ data: { code: 'unauthorized' } });
    again.close();
    expect(await apiStatus(other)).toBe(200);
    d.close();
    expect(await metricValue('xray_sessions_revoked_total')).toBe(1);
    expect(await metricValue('xray_session_sockets_dropped_total')).toBe(1);
  });

  it('[G7] the revocation survives a restart', async () => {
    const cookie = await sessionCookie();
    const kept = await sessionCookie();
    await fetch(`${dash}/auth/logout`, { method: 'POST', headers: { cookie, origin: dash }, redirect: 'manual' });
    expect(await apiStatus(cookie)).toBe(401);
    server.child.kill('SIGTERM');
    await server.exited;
    server = await startServerProcess(env(), ['--no-next']);
    expect(await apiStatus(cookie)).toBe(401);
    expect(await apiStatus(kept)).toBe(200);
  });
});

describe('login backoff', () => {
  it('[G7] repeated wrong tokens get 429 rate_limited with a doubling Retry-After, and no guess is evaluated while locked', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await login(`wrong-token-${i}-0123456789`);
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toContain('error=invalid');
    }
    const locked = await login(ADMIN); // even the right token: it is not compared while locked
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('1');
    expect((await locked.json()).error.code).toBe('rate_limited');
    expect(locked.headers.get('set-cookie')).toBeNull();
    await sleep(1100);
    expect((await login('wrong-token-again-0123456789')).status).toBe(303); // evaluated, fails: now 2 s
    const longer = await login(ADMIN);
    expect(longer.status).toBe(429);
    expect(longer.headers.get('retry-after')).toBe('2');
    // A browser form gets the login page with the message, still 429.
    const page = await fetch(`${dash}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: dash, accept: 'text/html' }, body: `token=x`, redirect: 'manual' });
    expect(page.status).toBe(429);
    expect(await page.text()).toContain('Too many failed attempts');
    await sleep(2100);
    expect((await login(ADMIN)).status).toBe(303); // the right token works again, and resets the count
    expect((await login('wrong-token-after-reset-0123')).status).toBe(303);
    expect(await metricValue('xray_auth_failures_total{kind="login"}')).toBe(6);
    expect(await metricValue('xray_auth_locked_total{kind="login"}')).toBe(3);
  });
});

describe('agent keys', () => {
  const wsUrl = () => `ws://127.0.0.1:${relayPort}/ws`;
  function open(headers: Record<string, string> = {}): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl(), { headers });
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode} retry-after=${res.headers['retry-after']}`)));
      ws.once('error', reject);
    });
  }
  /** Registers with `key`; returns the answer's type/code and how the socket ended. */
  async function register(key: string | undefined): Promise<{ answer: string; closed: number | null }> {
    const ws = await open();
    const answer = new Promise<string>((r) => ws.once('message', (m) => {
      const msg = JSON.parse(m.toString());
      r(msg.type === 'error' ? msg.code : msg.type);
    }));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send(JSON.stringify({ type: 'register', name: `k-${Math.random().toString(36).slice(2, 8)}`, ...(key === undefined ? {} : { key }) }));
    const a = await answer;
    const c = await Promise.race([closed, sleep(2000).then(() => null)]);
    if (c === null) ws.close();
    return { answer: a, closed: c };
  }

  it('[G7] a socket that presents a wrong key gets the coded error and is closed', async () => {
    expect(await register('wrong-key-0000000000')).toEqual({ answer: 'unauthorized', closed: 1008 });
    expect(await register(undefined)).toEqual({ answer: 'unauthorized', closed: 1008 });
    const ok = await register(KEY);
    expect(ok.answer).toBe('registered');
    expect(ok.closed).toBeNull();
  });

  it('[G7] wrong keys back off per address on every entry (register, upgrade, REST) with 429 and Retry-After', async () => {
    // 1 wrong key above; 2 more stay free, the 4th imposes a 1 s lock.
    expect((await register('wrong-key-0000000001')).answer).toBe('unauthorized');
    expect((await register('wrong-key-0000000002')).answer).toBe('unauthorized');
    expect((await register('wrong-key-0000000003')).answer).toBe('unauthorized');
    expect(await register(KEY)).toEqual({ answer: 'rate_limited', closed: 1008 }); // not compared while locked
    const rest = await fetch(`${relay}/v1/events`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(rest.status).toBe(429);
    expect(rest.headers.get('retry-after')).toBe('1');
    expect((await rest.json()).error.code).toBe('rate_limited');
    await expect(open({ authorization: `Bearer ${KEY}` })).rejects.toThrow('HTTP 429 retry-after=1');
    await sleep(1100);
    const wrongRest = await fetch(`${relay}/v1/events`, { headers: { authorization: 'Bearer wrong-key-0000000004' } });
    expect(wrongRest.status).toBe(401); // evaluated once more, and the lock doubles
    const doubled = await fetch(`${relay}/v1/events`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(doubled.status).toBe(429);
    expect(doubled.headers.get('retry-after')).toBe('2');
    await sleep(2100);
    expect((await fetch(`${relay}/v1/events`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
    expect(await metricValue('xray_auth_failures_total{kind="agent_key"}')).toBe(5);
    expect(await metricValue('xray_auth_locked_total{kind="agent_key"}')).toBe(4);
  });
});

describe('start-up', () => {
  it.each([
    ['RELAY_KEYS', { RELAY_KEYS: `${KEY},short-key` }, 'every RELAY_KEYS entry must be at least 16 characters'],
    ['ADMIN_TOKEN', { ADMIN_TOKEN: 'short-admin' }, 'ADMIN_TOKEN must be at least 16 characters'],
    ['RELAY_ALLOWED_ORIGINS', { RELAY_ALLOWED_ORIGINS: 'null' }, '"null" is not an origin'],
  ])('[G7] refuses a short or unsafe %s with a clear message and exit code 1', async (_name, bad, message) => {
    const [p, r] = [await freePort(), await freePort()];
    const started = startServerProcess({ PORT: String(p), RELAY_PORT: String(r), XRAY_DATA_DIR: tempDir(), ADMIN_TOKEN: ADMIN, ...bad }, ['--no-next']);
    await expect(started).rejects.toThrow(message);
    await expect(started).rejects.toThrow('server exited (1)');
  });
});

describe('next after login', () => {
  const hostile = [
    '//evil.example/',
    '/\t/evil.example',
    '/%09/evil.example',
    '/\n/evil.example',
    '/\r\nSet-Cookie: x=1',
    '/\\evil.example',
    '\\\\evil.example',
    '/%2F%2Fevil.example',
    '/%5Cevil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    ' /trace/x',
    '/\u0000',
    '/%00',
    '/\u2028//evil.example',
    '/%ZZ',
    'trace/relative',
  ];
  it.each(hostile)('[G7] a hostile next %j lands on / (form POST and login link)', async (next) => {
    const r = await login(ADMIN, next);
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/');
    const link = await fetch(`${dash}/auth/login?token=${ADMIN}&next=${encodeURIComponent(next)}`, { redirect: 'manual' });
    expect(link.status).toBe(303);
    expect(link.headers.get('location')).toBe('/');
    const page = await fetch(`${dash}/login?next=${encodeURIComponent(next)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="next" value="/"');
  });

  it('[G7] a same-origin deep link survives the login', async () => {
    const deep = `/trace/${'a'.repeat(32)}?node=n1`;
    expect((await login(ADMIN, deep)).headers.get('location')).toBe(deep);
    const wrong = await login('wrong-but-deep-link-kept-0', deep);
    expect(wrong.headers.get('location')).toBe(`/login?error=invalid&next=${encodeURIComponent(deep)}`);
    await waitFor(async () => (await login(ADMIN)).status === 303, 3000, 'login'); // reset the failure count
  });
});
