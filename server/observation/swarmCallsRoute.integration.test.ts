/**
 * GET /api/swarm/calls against the real server process: calls made over the relay show up
 * per edge with their methods and failures; bad windows and hostile names get a coded 400;
 * no admin session, no data (G7).
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/harness';
import { freePort, startServerProcess, type ServerProcess } from '../testing/serverProcess';

const ADMIN = 'calls-test-admin-token-0123';
let server: ServerProcess;
let dash = '';
let relay = '';
const auth = { authorization: `Bearer ${ADMIN}` };

beforeAll(async () => {
  const [port, relayPort] = [await freePort(), await freePort()];
  server = await startServerProcess({ PORT: String(port), RELAY_PORT: String(relayPort), XRAY_DATA_DIR: tempDir(), ADMIN_TOKEN: ADMIN }, ['--no-next']);
  dash = `http://127.0.0.1:${port}`;
  relay = `http://127.0.0.1:${relayPort}`;
});
afterAll(() => server.child.kill('SIGKILL'));

/** A worker that answers `fail` with an error and everything else with a payload. */
async function worker(name: string): Promise<WebSocket> {
  const ws = new WebSocket(relay.replace('http', 'ws') + '/ws');
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'register', name })));
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.type === 'registered') resolve();
      if (m.type === 'inbound_call') ws.send(JSON.stringify(m.method === 'fail' ? { type: 'call_response', correlation_id: m.correlation_id, error: 'no' } : { type: 'call_response', correlation_id: m.correlation_id, payload: 'ok' }));
    });
    ws.on('error', reject);
  });
  return ws;
}

const call = (to: string, method: string) => fetch(`${relay}/v1/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to, method, payload: '{}', from: 'planner' }) });

describe('GET /api/swarm/calls', () => {
  it('[V13] summarizes the calls per edge in the window, with methods and failures', async () => {
    const since = Date.now() - 1000;
    const ws = await worker('calls-worker');
    try {
      for (const m of ['process', 'process', 'lookup', 'fail']) await call('calls-worker', m);
      const r = await fetch(`${dash}/api/swarm/calls?since=${since}&to=calls-worker`, { headers: auth });
      expect(r.status).toBe(200);
      const body = await r.json();
      expect(body.truncated).toBe(false);
      expect(body.edges).toHaveLength(1);
      expect(body.edges[0]).toMatchObject({ to: 'calls-worker', calls: 4, errors: 1 });
      expect(body.edges[0].methods).toEqual([
        { method: 'process', calls: 2, errors: 0 },
        { method: 'lookup', calls: 1, errors: 0 },
        { method: 'fail', calls: 1, errors: 1 },
      ]);
      const none = await (await fetch(`${dash}/api/swarm/calls?since=${since - 3_600_000}&until=${since - 1_800_000}`, { headers: auth })).json();
      expect(none.edges).toEqual([]);
    } finally {
      ws.close();
    }
  });

  it('[V13] refuses a bad window or a hostile name with a coded 400', async () => {
    for (const q of ['', 'since=abc', 'since=10&until=5', `since=0&until=${2 * 86_400_000}`, 'since=0&from=__proto__%00', `since=0&to=${'x'.repeat(5000)}`]) {
      const r = await fetch(`${dash}/api/swarm/calls?${q}`, { headers: auth });
      expect(r.status, q).toBe(400);
      expect((await r.json()).error.code).toBe('invalid_message');
    }
  });

  it('[G7] needs an admin session', async () => {
    const r = await fetch(`${dash}/api/swarm/calls?since=0`, { redirect: 'manual' });
    expect(r.status).toBe(401);
  });
});
