/**
 * G8, a store that fails, against the real server process in both modes: every log write
 * throws as on a full disk while a fault file exists (`XRAY_FAULT_FAIL_WRITES_FILE`,
 * store/writeFaults.ts; unlike store/diskFull.integration.test.ts it needs no tmpfs mount,
 * so it runs without root). The relay-only process used to exit here on an unhandled
 * rejection that Next.js's handlers hid in the full server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RelayToAgent } from '../lib/protocol/relay';
import { postJson, tempDir, TestAgent, waitFor } from './testing/harness';
import { freePort, startServerProcess, type ServerProcess } from './testing/serverProcess';
import { SseReader } from './testing/sseReader';

const ADMIN_TOKEN = 'failing-store-test-admin-token';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

type InboundCall = Extract<RelayToAgent, { type: 'inbound_call' }>;
type CallResult = Extract<RelayToAgent, { type: 'call_result' }>;

async function storedIds(relayUrl: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let after = 0;
  for (;;) {
    const page = await (await fetch(`${relayUrl}/v1/events?after=${after}&limit=5000`)).json();
    for (const e of page.events) ids.add(e.id);
    if (!page.more) return ids;
    after = page.next_after;
  }
}

/** Acks and nacks an agent received, by event id. */
function ackBook(agent: TestAgent) {
  const acked = new Set<string>();
  const nacked = new Map<string, string>();
  agent.ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as RelayToAgent;
    if (m.type === 'ack') m.ids.forEach((id) => acked.add(id));
    if (m.type === 'nack') m.ids.forEach((id) => nacked.set(id, m.code));
  });
  return { acked, nacked };
}

for (const mode of ['--relay-only', '--no-next'] as const) {
  describe(`[G8] a failing store (${mode === '--relay-only' ? 'relay-only' : 'full server'})`, () => {
    it(`[G8] [R10] ${mode}: coded storage refusals, no ack of anything uncommitted, no unhandled rejection, other connections fine, recovery`, { timeout: 60_000 }, async () => {
      const faultFile = path.join(tempDir('xray-fault-'), 'fail-writes');
      const env = {
        XRAY_DATA_DIR: tempDir(),
        RELAY_PORT: String(await freePort()),
        PORT: String(await freePort()),
        ADMIN_TOKEN,
        XRAY_FAULT_FAIL_WRITES_FILE: faultFile,
        XRAY_STORAGE_PROBE_INTERVAL: '200ms',
        XRAY_STORAGE_HEADROOM_BYTES: '1MiB',
      };
      const relayUrl = `http://127.0.0.1:${env.RELAY_PORT}`;
      const wsUrl = `ws://127.0.0.1:${env.RELAY_PORT}/ws`;
      const dashUrl = `http://127.0.0.1:${env.PORT}`;
      const server: ServerProcess = await startServerProcess(env, [mode]);
      const agents: TestAgent[] = [];
      let sse: SseReader | null = null;
      try {
        const worker = await TestAgent.connect(wsUrl, 'worker');
        const caller = await TestAgent.connect(wsUrl, 'caller');
        const listener = await TestAgent.connect(wsUrl, 'listener');
        agents.push(worker, caller, listener);
        const book = ackBook(worker);
        listener.send({ type: 'subscribe', topic: 'news' });
        sse = await SseReader.open(`${relayUrl}/v1/subscribe?topic=news`);
        expect(sse.status).toBe(200);
        worker.send({ type: 'frames', ack: true, frames: [{ type: 'token', id: 'ok-1', text: 'a' }, { type: 'token', id: 'ok-2', text: 'b' }] });
        await waitFor(() => book.acked.size === 2, 10_000, 'acks before the fault');

        fs.writeFileSync(faultFile, ''); // from now on every log write fails

        // Frames and an acked broadcast: a coded nack each, never an ack.
        worker.send({ type: 'frames', ack: true, frames: [{ type: 'token', id: 'lost-1', text: 'c' }, { type: 'token', id: 'lost-2', text: 'd' }] });
        await waitFor(() => book.nacked.size === 2, 10_000, 'nacks of frames on the failing store');
        worker.send({ type: 'broadcast', topic: 'news', payload: 'lost', id: 'lost-b', ack: true });
        await waitFor(() => book.nacked.has('lost-b'), 10_000, 'nack of the broadcast');
        expect(new Set(book.nacked.values())).toEqual(new Set(['storage_unavailable']));
        for (const id of ['lost-1', 'lost-2', 'lost-b']) expect(book.acked.has(id)).toBe(false);

        // REST: 503 with the code.
        const rest = await postJson(`${relayUrl}/v1/broadcast`, { topic: 'news', payload: 'lost too', id: 'lost-rest' });
        expect(rest.status).toBe(503);
        expect(rest.body.error.code).toBe('storage_unavailable');

        // A call: routed (its request event is bookkeeping, lost and counted), but its outcome
        // cannot be recorded, so the caller gets the storage code instead of an unrecorded answer.
        caller.send({ type: 'call', ref: 'c1', to: 'worker', method: 'work', payload: 'p' });
        const inbound = await worker.next<InboundCall>((m) => m.type === 'inbound_call');
        worker.send({ type: 'call_response', correlation_id: inbound.correlation_id, payload: 'done' });
        const result = await caller.next<CallResult>((m) => m.type === 'call_result');
        expect(result.error?.code).toBe('storage_unavailable');

        // Bookkeeping writes nobody waits for (register, subscribe, disconnect) fail quietly: the agent still registers.
        const late = await TestAgent.connect(wsUrl, 'late-joiner');
        late.send({ type: 'subscribe', topic: 'news' });
        await late.close();

        const health = await (await fetch(`${relayUrl}/healthz`)).json();
        expect(health.storage.state).toBe('unavailable');
        expect(health.storage.reason).toMatch(/SQLITE_FULL/);
        expect(health.process.unhandled_rejections).toBe(0);
        if (mode === '--no-next') {
          const metrics = await (await fetch(`${dashUrl}/metrics`, { headers: auth })).text();
          expect(metrics).toContain('xray_storage_state{state="unavailable"} 1');
          expect(metrics).toMatch(/xray_relay_bookkeeping_lost_total [1-9]/);
          expect(metrics).toContain('xray_process_unhandled_rejections_total 0');
          expect(metrics).not.toMatch(/xray_commit_stage_failures_total\{stage="[^"]+"\} [1-9]/);
        }
        await new Promise((r) => setTimeout(r, 300)); // a moment for a crash to happen, if one would
        expect(server.child.exitCode).toBeNull();
        expect(server.output()).not.toMatch(/unhandled promise rejection|uncaughtException/);

        // The store works again: the probe turns ingest back on, on the same connections.
        fs.rmSync(faultFile);
        await waitFor(async () => (await (await fetch(`${relayUrl}/healthz`)).json()).storage.state === 'ok', 10_000, 'the probe to recover');
        worker.send({ type: 'broadcast', topic: 'news', payload: 'back', id: 'back-b', ack: true });
        await waitFor(() => book.acked.has('back-b'), 10_000, 'ack after recovery');
        expect(await listener.next((m) => m.type === 'message')).toMatchObject({ payload: 'back', from: 'worker' });
        await waitFor(() => sse!.events.some((e) => e.data === 'back'), 10_000, 'the SSE stream to deliver');
        expect(sse.events.map((e) => e.data)).toEqual(['back']); // nothing refused was ever delivered

        // Exactly the acked events are stored; none of the refused ones.
        const stored = await storedIds(relayUrl);
        for (const id of book.acked) expect(stored.has(id), `acked ${id} missing`).toBe(true);
        for (const id of [...book.nacked.keys(), 'lost-rest']) expect(stored.has(id), `refused ${id} stored`).toBe(false);
        expect(server.child.exitCode).toBeNull();
      } finally {
        sse?.close();
        await Promise.all(agents.map((a) => a.close()));
        server.child.kill('SIGKILL');
        await server.exited;
      }
    });
  });
}
