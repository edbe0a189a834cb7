/**
 * G6, exhaustion of the dashboard port (issue 11, class 3), against the real server process:
 * unauthenticated Socket.IO connections are refused and closed, never held; connections
 * that join no namespace are closed after the connect timeout; one address gets a fair share
 * of engine connections while an admin elsewhere still connects; slow headers and bodies
 * are timed out; the limits and refusals show in /metrics.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDashboard } from '../testing/dashboardClient';
import { postJson, tempDir, waitFor } from '../testing/harness';
import { HOG, rawConnect, trickle } from '../testing/peers';
import { freePort, startServerProcess, type ServerProcess } from '../testing/serverProcess';

const ADMIN = 'dashboard-peers-admin-token-0123';
const CONNECT_TIMEOUT_MS = 2500;
let server: ServerProcess;
let port = 0;
let relayPort = 0;

beforeAll(async () => {
  relayPort = await freePort();
  port = await freePort();
  server = await startServerProcess(
    {
      PORT: String(port),
      RELAY_PORT: String(relayPort),
      HOST: '127.0.0.1',
      XRAY_DATA_DIR: tempDir(),
      ADMIN_TOKEN: ADMIN,
      XRAY_SOCKETIO_PER_ADDRESS: '3',
      XRAY_SOCKETIO_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      XRAY_HEADERS_TIMEOUT_MS: '500',
      XRAY_REQUEST_TIMEOUT_MS: '2000',
      XRAY_BODY_IDLE_TIMEOUT_MS: '400',
    },
    ['--no-next'],
  );
}, 30_000);
afterAll(() => server.child.kill('SIGKILL'));

interface RawEngine {
  ws: WebSocket;
  packets: string[];
  /** Ms from open to close, once closed. */
  closed: Promise<number>;
}

/** A raw engine.io v4 WebSocket connection (what any script can open), from `localAddress`. */
function engine(localAddress = '127.0.0.1'): Promise<RawEngine | { refused: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, { localAddress });
    const packets: string[] = [];
    ws.on('message', (d) => {
      const p = d.toString();
      packets.push(p);
      if (p === '2') ws.send('3'); // answer engine pings like a client would
    });
    ws.once('unexpected-response', (_req, res) => resolve({ refused: res.statusCode ?? 0 }));
    ws.once('open', () => {
      const opened = Date.now();
      resolve({ ws, packets, closed: new Promise((r) => ws.once('close', () => r(Date.now() - opened))) });
    });
    ws.once('error', (e) => {
      if (ws.readyState !== WebSocket.CLOSED) reject(e);
    });
  });
}

async function open(localAddress?: string): Promise<RawEngine> {
  const e = await engine(localAddress);
  if ('refused' in e) throw new Error(`refused ${e.refused}`);
  return e;
}

describe('[G6] dashboard Socket.IO is not held by unauthenticated peers', () => {
  it('[G6] a connection refused by auth gets connect_error unauthorized and is closed at once', async () => {
    const e = await open();
    e.ws.send('40/dashboard,');
    const ms = await e.closed;
    expect(e.packets.some((p) => p.startsWith('44/dashboard,') && p.includes('unauthorized'))).toBe(true);
    expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS); // closed by the refusal, not left to the connect timeout
  });

  it('[G6] the main namespace serves nothing: refused and closed', async () => {
    const e = await open();
    e.ws.send('40');
    const ms = await e.closed;
    expect(e.packets.some((p) => p.startsWith('44') && p.includes('not_found'))).toBe(true);
    expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS);
  });

  it('[G6] a connection that never joins a namespace is closed after the connect timeout', async () => {
    const e = await open();
    const ms = await e.closed;
    expect(ms).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 100);
    expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS + 3000);
  });

  it('[G6] one address holds at most its share of engine connections; an admin on another address still connects; /metrics shows it', async () => {
    const held = await Promise.all([1, 2, 3].map(() => open(HOG)));
    const fourth = await engine(HOG);
    // engine.io answers a refused handshake 403 (polling) or 400 (WebSocket upgrade).
    expect(fourth).toEqual({ refused: 400 });
    const admin = new TestDashboard(`http://127.0.0.1:${port}`, { authorization: `Bearer ${ADMIN}` });
    await admin.connected();
    expect(await admin.subscribe({ kind: 'overview' })).toMatchObject({ ok: true });
    admin.close();
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    expect(metrics).toMatch(/^xray_dashboard_socket_connections_refused_per_address_total 1$/m);
    expect(metrics).toMatch(/^xray_dashboard_socket_connections_limit_per_address 3$/m);
    expect(metrics).toMatch(/^xray_relay_sse_streams_limit_per_address 100$/m);
    expect(metrics).toMatch(/^xray_http_headers_timeout_seconds 0.5$/m);
    held.forEach((e) => e.ws.close());
    await Promise.all(held.map((e) => e.closed));
    // The share comes back once the held connections close.
    const again = await open(HOG);
    again.ws.close();
  });
});

describe('[G6] slow peers on the dashboard port', () => {
  it('[G6] headers trickled in (slowloris) are timed out with 408', async () => {
    const peer = await rawConnect(port);
    void trickle(peer, ['GET /login HTTP/1.1\r\n', ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: 1\r\n`)], 100);
    const ms = await peer.closed;
    expect(peer.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(3000);
  });

  it('[G6] a login body that stalls is refused 408 request_timeout and the connection dropped', async () => {
    const peer = await rawConnect(port);
    peer.socket.write('POST /auth/login HTTP/1.1\r\nHost: dash\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 300\r\n\r\ntoken=abc');
    await peer.closed;
    expect(peer.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(peer.received()).toContain('request_timeout');
  });
});

describe('[G6] a dashboard resume cursor beyond the head', () => {
  it('[G6] subscribe with `after` beyond the head gets a snapshot at the head (not a resume), then live deltas', async () => {
    const admin = new TestDashboard(`http://127.0.0.1:${port}`, { authorization: `Bearer ${ADMIN}` });
    try {
      await admin.connected();
      const ack = await admin.subscribe({ kind: 'overview' }, 1_000_000_000);
      expect(ack).toMatchObject({ ok: true, resumed: false });
      await waitFor(() => admin.snapshots.length === 1, 3000, 'snapshot');
      const snapSeq = admin.overview.seq;
      expect(snapSeq).toBeLessThan(1_000_000_000);
      const r = await postJson(`http://127.0.0.1:${relayPort}/v1/broadcast`, { topic: 'swarm.health', payload: '{"name":"w","activeTasks":1}' });
      expect(r.status).toBe(200);
      await waitFor(() => admin.overview.seq >= r.body.seq, 5000, 'live delta after the clamped cursor');
      expect(admin.gaps).toBe(0);
    } finally {
      admin.close();
    }
  });
});
