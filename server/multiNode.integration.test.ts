/**
 * Multi-node mode end to end: real server processes (server/index.ts, relay only) on one
 * real, throwaway PostgreSQL (server/testing/postgres.ts). Node A and node B share the log;
 * every test talks to them over their sockets only.
 */
import { LIMITS } from '../lib/protocol/limits';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { postJson, TestAgent, tempDir, waitFor } from './testing/harness';
import { SseReader } from './testing/sseReader';
import { TestDashboard } from './testing/dashboardClient';
import type { RelayToAgent } from '../lib/protocol/relay';
import { scopeKey, type Scope } from '../lib/protocol/dashboard';
import { startTestPostgres, type TestPostgres } from './testing/postgres';
import { freePort, startServerProcess, type ServerProcess } from './testing/serverProcess';

const ROOT = path.resolve(import.meta.dirname, '..');
const LEASE_TTL_MS = 2000;
const ADMIN_TOKEN = 'multi-node-test-admin-token';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

interface Node {
  id: string;
  env: Record<string, string>;
  proc: ServerProcess;
  http: string;
  ws: string;
  /** The node's dashboard port (Socket.IO, /api), served without Next. */
  dash: string;
}

let db: TestPostgres;
let url: string;
const nodes: Node[] = [];
const children: ChildProcess[] = [];

async function startNode(id: string, relayPort?: number): Promise<Node> {
  const port = relayPort ?? (await freePort());
  const dashPort = await freePort();
  const env = {
    ADMIN_TOKEN,
    XRAY_DATABASE_URL: url,
    XRAY_NODE_ID: id,
    RELAY_PORT: String(port),
    PORT: String(dashPort),
    XRAY_DATA_DIR: tempDir(),
    XRAY_LEASE_TTL: `${LEASE_TTL_MS}ms`,
    XRAY_TAIL_POLL: '500ms',
    XRAY_STORAGE_PROBE_INTERVAL: '300ms',
  };
  const proc = await startServerProcess(env, ['--no-next']);
  const node = { id, env, proc, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/ws`, dash: `http://127.0.0.1:${dashPort}` };
  nodes.push(node);
  return node;
}

async function stopNode(node: Node, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  node.proc.child.kill(signal);
  await node.proc.exited;
}

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

const textOf = (d: TestDashboard, scope: Scope) => [...(d.streams.get(scopeKey(scope))?.spans.values() ?? [])].map((s) => s.text).join('');

let A: Node;
let B: Node;

beforeAll(async () => {
  db = await startTestPostgres();
  url = await db.createDatabase('xray_cluster');
  A = await startNode('node-a');
  B = await startNode('node-b');
}, 120_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const n of nodes) n.proc.child.kill('SIGKILL');
  await Promise.all(nodes.map((n) => n.proc.exited));
  await db?.destroy();
});

describe('multi-node on one PostgreSQL', () => {
  it('[M2] name_taken holds across nodes, unknown_target means no node holds the name, and a call from B reaches a worker on A through the log', async () => {
    const worker = await TestAgent.connect(A.ws, 'm2-worker');
    const twin = await TestAgent.connect(B.ws);
    twin.send({ type: 'register', name: 'm2-worker' });
    expect(await twin.next((m) => m.type === 'error' || m.type === 'registered')).toMatchObject({ type: 'error', code: 'name_taken' });
    const nobody = await postJson(`${B.http}/v1/call`, { to: 'no-such-agent', method: 'x', payload: '' });
    expect(nobody.body).toMatchObject({ error: { code: 'unknown_target' } });
    const answered = postJson(`${B.http}/v1/call`, { to: 'm2-worker', method: 'echo', payload: 'across' });
    const inbound = (await worker.next((m) => m.type === 'inbound_call', 10_000)) as Extract<RelayToAgent, { type: 'inbound_call' }>;
    expect(inbound.payload).toBe('across');
    worker.send({ type: 'call_response', correlation_id: inbound.correlation_id, payload: 'back' });
    const r = await answered;
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ payload: 'back', from: 'm2-worker', trace_id: inbound.trace_id });
    // One request, one response in the log: the caller's node did not record the answer again.
    const rows = await query<{ kind: string; n: string }>("SELECT kind, count(*) AS n FROM xray_events WHERE data::json->>'correlation_id' = $1 GROUP BY kind ORDER BY kind", [inbound.correlation_id]);
    expect(rows.map((x) => [x.kind, Number(x.n)])).toEqual([
      ['call.request', 1],
      ['call.response', 1],
    ]);
    await worker.close();
    await twin.close();
  });

  it('[M4][G4] a broadcast on A reaches an SSE subscriber on B, and Last-Event-ID resumes on A with nothing lost and nothing twice', async () => {
    const topic = 'm4.news';
    const onB = await SseReader.open(`${B.http}/v1/subscribe?topic=${topic}`);
    expect(onB.status).toBe(200);
    const sender = await TestAgent.connect(A.ws, 'm4-sender');
    for (let i = 0; i < 5; i++) sender.send({ type: 'broadcast', topic, payload: `m${i}`, id: `m4-${i}`, ack: true });
    await waitFor(() => onB.events.length >= 5, 10_000, 'five broadcasts on B');
    expect(onB.events.map((e) => e.data)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    const cursor = onB.events[2].id!;
    onB.close();
    // The client reconnects to the OTHER node with its cursor.
    const onA = await SseReader.open(`${A.http}/v1/subscribe?topic=${topic}`, { 'last-event-id': cursor });
    await waitFor(() => onA.events.length >= 2, 10_000, 'the rest replayed on A');
    for (let i = 5; i < 7; i++) sender.send({ type: 'broadcast', topic, payload: `m${i}`, id: `m4-${i}`, ack: true });
    await waitFor(() => onA.events.length >= 4, 10_000, 'live broadcasts on A');
    await new Promise((r) => setTimeout(r, 300));
    expect(onA.events.map((e) => e.data)).toEqual(['m3', 'm4', 'm5', 'm6']);
    const ids = onA.events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    onA.close();
    await sender.close();
  });

  it('[M4][G4] a dashboard client moved from node A to node B resumes exactly from its seq: no snapshot, no gap, no duplicate, and it sees agents of both nodes', { timeout: 60_000 }, async () => {
    const scope: Scope = { kind: 'agent', name: 'm4-streamer' };
    const dashboards: TestDashboard[] = [];
    const dashboard = async (node: Node) => {
      const d = new TestDashboard(node.dash, auth);
      dashboards.push(d);
      await d.connected();
      return d;
    };
    try {
      const onA = await dashboard(A);
      await onA.subscribe(scope);
      await onA.subscribe({ kind: 'overview' });
      // The streaming agent is on B: A's dashboard sees it through the log.
      const streamer = await TestAgent.connect(B.ws, 'm4-streamer');
      const other = await TestAgent.connect(A.ws, 'm4-on-a');
      let i = 0;
      const timer = setInterval(() => streamer.send({ type: 'token', text: ` t${i++}` }), 10);
      await waitFor(() => (onA.streams.get(scopeKey(scope))?.tokens ?? 0) > 20, 10_000, 'tokens on A');
      // The overview goes out every 500 ms: wait for the one that carries both nodes' agents.
      await waitFor(() => onA.overview.agents.has('m4-on-a') && onA.overview.agents.has('m4-streamer'), 10_000, 'agents of both nodes in A\'s overview');
      onA.close();
      const lastSeq = onA.seqOf(scope);
      await new Promise((r) => setTimeout(r, 300)); // tokens keep flowing while it moves
      const onB = await dashboard(B);
      onB.streams.set(scopeKey(scope), onA.streams.get(scopeKey(scope))!);
      expect(await onB.subscribe(scope, lastSeq)).toMatchObject({ ok: true, resumed: true });
      await new Promise((r) => setTimeout(r, 500));
      clearInterval(timer);
      const ackFlush = streamer.next((m) => m.type === 'ack', 10_000);
      streamer.send({ type: 'token', id: 'm4-last', text: ' end', ack: true });
      await ackFlush;
      const head = Number((await query<{ head: string }>('SELECT head FROM xray_log_head'))[0].head);
      await waitFor(() => onB.seqOf(scope) >= head || onB.deltas.some((d) => d.sub === scopeKey(scope) && d.to >= head), 10_000, 'the moved client to reach the head');
      await waitFor(() => textOf(onB, scope).endsWith(' end'), 10_000, 'the last token on B');
      expect(onB.snapshots.filter((s) => s.sub === scopeKey(scope))).toHaveLength(0);
      expect(onB.deltas.find((x) => x.sub === scopeKey(scope))!.from).toBe(lastSeq + 1);
      expect(onB.gaps).toBe(0);
      const logged = await query<{ text: string }>("SELECT data::json->>'text' AS text FROM xray_events WHERE kind = 'token' AND agent = 'm4-streamer' ORDER BY seq");
      expect(textOf(onB, scope)).toBe(logged.map((r) => r.text).join(''));
      await streamer.close();
      await other.close();
    } finally {
      for (const d of dashboards) d.close();
    }
  });

  it('[M3][G1] the seed swarm: three workers on node A, the orchestrator on node B (only the port changed) complete 12/12', { timeout: 90_000 }, async () => {
    // The fixtures dial localhost:9002; copies that differ only in the port, where `ws` resolves.
    const dir = path.join(ROOT, 'node_modules', '.cache', 'xray-seed-cluster');
    fs.mkdirSync(dir, { recursive: true });
    const copy = (file: string, port: string) => {
      const text = fs.readFileSync(path.join(ROOT, 'e2e/fixtures/seed', file), 'utf8').replaceAll('localhost:9002', `localhost:${port}`);
      const out = path.join(dir, `${file.replace('.ts', '')}-${port}.ts`);
      fs.writeFileSync(out, text);
      return out;
    };
    const run = (file: string, env: Record<string, string> = {}) => {
      const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      return { output: () => out, exited: new Promise<number | null>((r) => child.on('exit', (code) => r(code))) };
    };
    const workerFile = copy('worker.ts', A.env.RELAY_PORT);
    const orchestratorFile = copy('orchestrator.ts', B.env.RELAY_PORT);
    const workers = [1, 2, 3].map((id) => run(workerFile, { WORKER_ID: String(id) }));
    await waitFor(async () => (await query("SELECT 1 FROM xray_leases WHERE node = 'node-a' AND name LIKE 'worker-_.relay'")).length === 3, 30_000, 'three seed workers leased on node A');
    const orchestrator = run(orchestratorFile);
    expect(await orchestrator.exited).toBe(0);
    const out = orchestrator.output();
    expect(out).toContain('completed: 12/12');
    expect(out).toContain('failed: 0/12');
    const responses = await query<{ payload: string; trace_id: string }>("SELECT data::json->>'payload' AS payload, trace_id FROM xray_events WHERE kind = 'call.response' AND agent LIKE 'worker-_.relay'");
    const payloads = responses.map((r) => JSON.parse(r.payload) as { taskId: string; result: string });
    expect(payloads.map((p) => p.taskId).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `task-${i}`).sort());
    for (const p of payloads) expect(p.result).toBe(`processed: document-${p.taskId.slice(5)}`);
    expect(new Set(responses.map((r) => r.trace_id)).size).toBe(12);
    expect(workers.every((w) => w.output().includes('ready'))).toBe(true);
    for (const c of children.splice(0)) c.kill('SIGTERM');
  });

  it('[M5][G2] SIGKILL of node A under an acked stream: after the agent reconnects to B every acked id is in the log exactly once; A\'s names free within the lease and a call waiting on A\'s worker fails with worker_disconnected', { timeout: 90_000 }, async () => {
    const victim = await startNode('node-victim');
    const streamer = await TestAgent.connect(victim.ws, 'm5-streamer');
    const idle = await TestAgent.connect(victim.ws, 'm5-idle-worker');
    const acked = new Set<string>();
    const sent: string[] = [];
    let i = 0;
    const timer = setInterval(() => {
      const id = `m5-${i++}`;
      sent.push(id);
      try {
        streamer.send({ type: 'token', id, text: ` ${i}`, ack: true });
      } catch {
        /* socket gone */
      }
    }, 5);
    // A call from B to the victim's worker, which will never answer.
    const pending = postJson(`${B.http}/v1/call`, { to: 'm5-idle-worker', method: 'wait', payload: '', timeout_ms: 60_000 });
    await idle.next((m) => m.type === 'inbound_call', 10_000);
    await waitFor(() => {
      for (const m of streamer.messages) if (m.type === 'ack') for (const id of (m as { ids: string[] }).ids) acked.add(id);
      return acked.size >= 200;
    }, 20_000, '200 acked tokens');
    victim.proc.child.kill('SIGKILL');
    clearInterval(timer);
    await victim.proc.exited;
    for (const m of streamer.messages) if (m.type === 'ack') for (const id of (m as { ids: string[] }).ids) acked.add(id);
    const killedAt = Date.now();
    // The agent reconnects to B and re-sends everything it has not seen acked (ids are idempotency keys).
    const failed = await pending;
    expect(failed.body).toMatchObject({ error: { code: 'worker_disconnected' } });
    expect(Date.now() - killedAt).toBeLessThan(LEASE_TTL_MS * 4);
    const again = await waitFor(async () => {
      const a = await TestAgent.connect(B.ws);
      a.send({ type: 'register', name: 'm5-streamer' });
      const m = await a.next((x) => x.type === 'registered' || x.type === 'error');
      if (m.type === 'registered') return a;
      await a.close();
      return null;
    }, LEASE_TTL_MS * 4, 'the name to free and register on B');
    const unacked = sent.filter((id) => !acked.has(id));
    // Re-sent in batches the protocol allows (a loaded run can leave more than one batch
    // unacked), each acked before the next; acks of one commit may share one message.
    for (let at = 0; at < unacked.length; at += LIMITS.framesPerBatch) {
      const chunk = unacked.slice(at, at + LIMITS.framesPerBatch);
      again.send({ type: 'frames', ack: true, frames: chunk.map((id) => ({ type: 'token', id, text: 'again' })) });
      await again.next((m) => m.type === 'ack' && (m as { ids: string[] }).ids.includes(chunk[chunk.length - 1]), 20_000);
    }
    const rows = await query<{ id: string; n: string }>("SELECT id, count(*) AS n FROM xray_events WHERE kind = 'token' AND agent = 'm5-streamer' GROUP BY id");
    const stored = new Map(rows.map((r) => [r.id, Number(r.n)]));
    for (const id of acked) expect(stored.get(id), id).toBe(1);
    for (const id of sent) expect(stored.get(id) ?? 0, id).toBe(1);
    expect(acked.size).toBeGreaterThanOrEqual(200);
    await again.close();
  });

  it('[M6][G8] PostgreSQL stopped and restarted under load: coded refusals, no crash, sockets stay open, no acked loss, recovery by itself', { timeout: 120_000 }, async () => {
    const agent = await TestAgent.connect(A.ws, 'm6-agent');
    const acked = new Set<string>();
    const nacks = new Map<string, number>();
    let i = 0;
    const send = () => {
      const id = `m6-${i++}`;
      agent.send({ type: 'token', id, text: 'x', ack: true });
    };
    const collect = () => {
      for (const m of agent.messages.splice(0)) {
        if (m.type === 'ack') for (const id of (m as { ids: string[] }).ids) acked.add(id);
        if (m.type === 'nack') nacks.set((m as { code: string }).code, (nacks.get((m as { code: string }).code) ?? 0) + 1);
      }
    };
    const load = setInterval(send, 10);
    try {
      await waitFor(() => (collect(), acked.size >= 50), 10_000, 'acks before the outage');
      await db.stop();
      await waitFor(() => (collect(), (nacks.get('storage_unavailable') ?? 0) >= 5), 20_000, 'storage_unavailable refusals').catch((err: Error) => {
        throw new Error(`${err.message}; nacks ${JSON.stringify([...nacks])}, acks ${acked.size}; node A said:\n${A.proc.output().slice(-3000)}`);
      });
      expect([...nacks.keys()].every((code) => code === 'storage_unavailable')).toBe(true);
      const health = await fetch(`${A.http}/healthz`).then((r) => r.json() as Promise<{ storage: { state: string } }>);
      expect(health.storage.state).toBe('unavailable');
      await db.start();
      const before = acked.size;
      await waitFor(() => (collect(), acked.size >= before + 50), 30_000, 'acks again after the restart');
    } finally {
      clearInterval(load);
    }
    await new Promise((r) => setTimeout(r, 500));
    collect();
    expect(agent.ws.readyState).toBe(1); // the agent socket stayed open throughout
    expect(A.proc.child.exitCode).toBeNull();
    expect(B.proc.child.exitCode).toBeNull();
    const rows = await query<{ id: string }>("SELECT id FROM xray_events WHERE kind = 'token' AND agent = 'm6-agent'");
    const stored = new Set(rows.map((r) => r.id));
    for (const id of acked) expect(stored.has(id), id).toBe(true);
    await agent.close();
  });
});
