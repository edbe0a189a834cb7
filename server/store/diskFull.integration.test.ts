/**
 * G8 disk full, on a real full file system (a small tmpfs mounted for the test), against the
 * real server process in both modes. Writes are refused with storage_unavailable (WS nack,
 * REST 503), nothing refused is stored and everything acked is, the process stays up (the
 * relay-only process used to exit on a bookkeeping write), ingest resumes by itself once
 * space returns, and every acked event is there after a SIGKILL restart.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayToAgent } from '../../lib/protocol/relay';
import { postJson, tempDir, TestAgent, waitFor } from '../testing/harness';
import { freePort, startServerProcess, type ServerProcess } from '../testing/serverProcess';

const ADMIN_TOKEN = 'disk-full-test-admin-token';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const mounts: string[] = [];
let canMount = true;

beforeAll(() => {
  const probe = tempDir('xray-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe]);
  } catch {
    canMount = false; // needs root / CAP_SYS_ADMIN
  }
});
afterAll(() => {
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m]);
    } catch {
      /* already gone */
    }
  }
});

function smallFs(bytes: number): string {
  const dir = tempDir('xray-full-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** Fills the file system until ENOSPC; returns the filler's path. */
function fillDisk(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  // Then the last few bytes, so nothing is left.
  try {
    for (;;) fs.writeSync(fd, Buffer.alloc(512, 1));
  } catch {
    /* full */
  }
  fs.closeSync(fd);
  return filler;
}

async function readAllIds(relayUrl: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let after = 0;
  for (;;) {
    const page = await (await fetch(`${relayUrl}/v1/events?after=${after}&limit=5000`)).json();
    for (const e of page.events) ids.add(e.id);
    if (!page.more) return ids;
    after = page.next_after;
  }
}

// Both process modes with the default inline writer, and the writer thread (XRAY_SQLITE_WRITER=thread),
// whose SQLite errors cross a thread boundary before storage health classifies them.
const variants = [
  { mode: '--relay-only', writer: 'inline' },
  { mode: '--no-next', writer: 'inline' },
  { mode: '--relay-only', writer: 'thread' },
] as const;

for (const { mode, writer } of variants) {
  describe(`[G8] disk full (${mode === '--relay-only' ? 'relay-only' : 'full server'}, ${writer} writer)`, () => {
    it(`[G8] ${mode}, ${writer} writer: coded refusals, no crash, recovery after space frees, every acked event present after restart`, { timeout: 90_000 }, async (ctx) => {
      if (!canMount) ctx.skip();
      const dir = smallFs(6 * 1024 * 1024);
      const env = {
        XRAY_DATA_DIR: dir,
        RELAY_PORT: String(await freePort()),
        PORT: String(await freePort()),
        ADMIN_TOKEN,
        XRAY_STORAGE_PROBE_INTERVAL: '200ms',
        XRAY_STORAGE_HEADROOM_BYTES: '256KiB',
        XRAY_SQLITE_WRITER: writer,
      };
      const relayUrl = `http://127.0.0.1:${env.RELAY_PORT}`;
      const dashUrl = `http://127.0.0.1:${env.PORT}`;
      let server: ServerProcess = await startServerProcess(env, [mode]);
      const acked = new Set<string>();
      const nacked = new Map<string, string>();
      let agent: TestAgent | null = null;
      try {
        agent = await TestAgent.connect(`ws://127.0.0.1:${env.RELAY_PORT}/ws`, 'writer');
        agent.ws.on('message', (d) => {
          const m = JSON.parse(d.toString()) as RelayToAgent;
          if (m.type === 'ack') m.ids.forEach((id) => acked.add(id));
          if (m.type === 'nack') m.ids.forEach((id) => nacked.set(id, m.code));
        });
        const text = 'x'.repeat(8 * 1024);
        let n = 0;
        const sendBatch = (count: number) => {
          const frames = Array.from({ length: count }, () => ({ type: 'token', id: `w-${++n}`, text }));
          agent!.send({ type: 'frames', frames, ack: true });
        };
        sendBatch(20);
        await waitFor(() => acked.size === 20, 10_000, 'first acks');

        const filler = fillDisk(dir);
        // Keep writing until the log runs into the full disk (the WAL may still have reusable room).
        await waitFor(
          () => {
            if (nacked.size === 0) sendBatch(10);
            return nacked.size > 0;
          },
          30_000,
          'a nack on the full disk',
        );
        expect(new Set(nacked.values())).toEqual(new Set(['storage_unavailable']));
        // REST refuses with 503 and the code; a new agent's registration (a bookkeeping write) fails quietly.
        const rest = await postJson(`${relayUrl}/v1/broadcast`, { topic: 'full', payload: 'refused', id: 'rest-refused' });
        expect(rest.status).toBe(503);
        expect(rest.body.error.code).toBe('storage_unavailable');
        const late = await TestAgent.connect(`ws://127.0.0.1:${env.RELAY_PORT}/ws`, 'late-joiner');
        await late.close(); // its disconnect is another bookkeeping write
        const health = await (await fetch(`${relayUrl}/healthz`)).json();
        expect(health.storage.state).toBe('unavailable');
        expect(health.storage.reason).toMatch(/SQLITE_FULL|disk is full|ENOSPC|SQLITE_IOERR/);
        if (mode === '--no-next') {
          const metrics = await (await fetch(`${dashUrl}/metrics`, { headers: auth })).text();
          expect(metrics).toContain('xray_storage_state{state="unavailable"} 1');
          expect(metrics).toMatch(/xray_relay_bookkeeping_lost_total [1-9]/);
          const api = await (await fetch(`${dashUrl}/api/health`, { headers: auth })).json();
          expect(api.storage.state).toBe('unavailable');
        }
        await new Promise((r) => setTimeout(r, 500)); // a moment for a crash to happen, if one would
        expect(server.child.exitCode).toBeNull();
        expect(server.output()).not.toMatch(/unhandled promise rejection|uncaughtException/);

        // Space returns: ingest resumes by itself.
        fs.rmSync(filler);
        await waitFor(async () => (await postJson(`${relayUrl}/v1/broadcast`, { topic: 'full', payload: 'back', id: 'rest-back' })).status === 200, 10_000, 'writes to resume');
        const before = acked.size;
        sendBatch(5);
        await waitFor(() => acked.size === before + 5, 10_000, 'acks after recovery');
        await agent.close();
        agent = null;

        // SIGKILL and restart: every acked event is there, no refused one is.
        server.child.kill('SIGKILL');
        await server.exited;
        server = await startServerProcess(env, [mode]);
        const stored = await readAllIds(relayUrl);
        for (const id of acked) expect(stored.has(id), `acked ${id} missing`).toBe(true);
        for (const id of nacked.keys()) expect(stored.has(id), `refused ${id} stored`).toBe(false);
        expect(stored.has('rest-refused')).toBe(false);
        expect(stored.has('rest-back')).toBe(true);
      } finally {
        await agent?.close();
        server.child.kill('SIGKILL');
        await server.exited;
      }
    });
  });
}
