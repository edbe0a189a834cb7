/**
 * G8 at start-up, against the real server process: a damaged log file or an unwritable data
 * dir stops the process with a message naming the path and the reason and a distinct exit
 * code; a log written by release 0.1.0 starts, migrates and serves every event.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureEvents } from '../../scripts/make-schema-fixture';
import { TestDashboard } from '../testing/dashboardClient';
import { postJson, tempDir, TestAgent, waitFor } from '../testing/harness';
import { freePort, runServerToExit, startServerProcess } from '../testing/serverProcess';
import type { NewEvent } from '../../lib/protocol/events';
import { SqliteEventLog } from './sqliteEventLog';
import { EXIT_CORRUPT, EXIT_UNWRITABLE } from './startupChecks';

const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) execFileSync('umount', [m]);
});

async function env(dataDir: string): Promise<{ XRAY_DATA_DIR: string; RELAY_PORT: string; PORT: string; ADMIN_TOKEN: string }> {
  return { XRAY_DATA_DIR: dataDir, RELAY_PORT: String(await freePort()), PORT: String(await freePort()), ADMIN_TOKEN: 'startup-test-admin-token' };
}

/** A log of `count` events with some bulk, closed (WAL checkpointed into the file). */
async function writeLog(dir: string, count: number): Promise<void> {
  const log = SqliteEventLog.open(dir);
  const events = Array.from({ length: count }, (_, i) => ({ id: `s${i}`, ts: 1_760_000_000_000 + i, t: null, kind: 'broadcast', trace_id: null, span_id: null, parent_span_id: null, agent: 'a', peer: null, topic: 'x', data: { payload: `payload ${i} ${'z'.repeat(200)}` }, lamport: 0 }) as NewEvent & { lamport: number });
  await log.append(events);
  await log.close();
}

/**
 * Overwrites `count` pages from `first` with junk: leaf pages in the middle of the event
 * table, which opening the log and reading its ends never touch: only a full check (or a
 * read that reaches them) finds the damage.
 */
function scribblePages(file: string, first: number, count: number): void {
  const fd = fs.openSync(file, 'r+');
  const junk = Buffer.alloc(count * 4096);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) & 0xff;
  fs.writeSync(fd, junk, 0, junk.length, first * 4096);
  fs.closeSync(fd);
}

describe('[G8] start-up refuses a damaged log or an unwritable data dir', () => {
  it('[G8] a log whose header was overwritten: exit 65 and a message naming the file', async () => {
    const dir = tempDir();
    await writeLog(dir, 100);
    const file = path.join(dir, 'events.db');
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(100, 0x5a), 0, 100, 0);
    fs.closeSync(fd);
    const { code, output } = await runServerToExit(await env(dir));
    expect(code).toBe(EXIT_CORRUPT);
    expect(output).toContain(`event log ${file} is damaged`);
    expect(output).toContain('SQLite header');
  });

  it('[G8] a log with scribbled pages: the integrity check refuses it (exit 65), in full mode too', async () => {
    const dir = tempDir();
    await writeLog(dir, 3000);
    const file = path.join(dir, 'events.db');
    const size = fs.statSync(file).size;
    expect(size).toBeGreaterThan(40 * 4096);
    scribblePages(file, 40, 8);
    for (const args of [['--relay-only'], ['--no-next']]) {
      const { code, output } = await runServerToExit(await env(dir), args);
      expect(code).toBe(EXIT_CORRUPT);
      expect(output).toContain(`event log ${file} is damaged`);
      expect(output).toMatch(/btreeInitPage|malformed/);
      expect(output).toMatch(/\.recover|restore a backup/);
      expect(output).not.toContain('[xray] ready');
    }
  });

  it('[G8] a data dir that is a file: exit 73 and the path', async () => {
    const parent = tempDir();
    const notADir = path.join(parent, 'plain-file');
    fs.writeFileSync(notADir, 'x');
    const { code, output } = await runServerToExit(await env(path.join(notADir, 'data')));
    expect(code).toBe(EXIT_UNWRITABLE);
    expect(output).toContain(`data dir ${path.join(notADir, 'data')} cannot be created`);
  });

  it('[G8] an event log path that is a directory: exit 73', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'events.db'));
    const { code, output } = await runServerToExit(await env(dir));
    expect(code).toBe(EXIT_UNWRITABLE);
    expect(output).toContain(`event log ${path.join(dir, 'events.db')} is not a regular file`);
  });

  it('[G8] a read-only data dir (read-only mount): exit 73, the path and "read-only file system"', async (ctx) => {
    const dir = tempDir('xray-ro-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    } catch {
      ctx.skip(); // needs root (CI containers without CAP_SYS_ADMIN skip)
    }
    mounts.push(dir);
    const { code, output } = await runServerToExit(await env(dir));
    expect(code).toBe(EXIT_UNWRITABLE);
    expect(output).toContain(`data dir ${dir} is not writable: it is on a read-only file system (EROFS)`);
  });
});

describe('[G8] corruption found at run time', () => {
  it('[G8] a read that hits a damaged page answers 500 storage_corrupt, writes are refused (REST and WS nack), /metrics and the log say so, the process stays up', async () => {
    const dir = tempDir();
    await writeLog(dir, 8000);
    scribblePages(path.join(dir, 'events.db'), 250, 8); // far from both ends
    // A log bigger than the full-check limit gets the bounded check, which reads only both ends.
    const e = { ...(await env(dir)), XRAY_STARTUP_CHECK_MAX_BYTES: '1' };
    const server = await startServerProcess(e, ['--no-next']);
    try {
      const relay = `http://127.0.0.1:${e.RELAY_PORT}`;
      const dash = `http://127.0.0.1:${e.PORT}`;
      const auth = { authorization: `Bearer ${e.ADMIN_TOKEN}` };
      // Writes work until something touches the damaged pages — which may already have happened
      // at start-up (the dashboard primes its session index from the recent log).
      const before = await postJson(`${relay}/v1/broadcast`, { topic: 'x', payload: 'before' });
      if (before.status !== 200) expect(before.body.error.code).toBe('storage_corrupt');
      const read = await fetch(`${relay}/v1/events?after=0&limit=5000`);
      expect(read.status).toBe(500);
      expect((await read.json()).error.code).toBe('storage_corrupt');
      const write = await postJson(`${relay}/v1/broadcast`, { topic: 'x', payload: 'after' });
      expect(write.status).toBe(500);
      expect(write.body.error.code).toBe('storage_corrupt');
      const agent = await TestAgent.connect(`ws://127.0.0.1:${e.RELAY_PORT}/ws`, 'w1');
      agent.send({ type: 'token', id: 'tok-after-corrupt', text: 'x', ack: true });
      const nack = await agent.next((m) => m.type === 'nack' || m.type === 'ack');
      expect(nack).toMatchObject({ type: 'nack', ids: ['tok-after-corrupt'], code: 'storage_corrupt' });
      await agent.close();
      const metrics = await (await fetch(`${dash}/metrics`, { headers: auth })).text();
      expect(metrics).toContain('xray_storage_state{state="corrupt"} 1');
      expect(metrics).toMatch(/xray_storage_writable 0/);
      const health = await (await fetch(`${dash}/api/health`, { headers: auth })).json();
      expect(health.storage.state).toBe('corrupt');
      // Streams that replay over the damaged pages end with the code; none takes the process down.
      const sse = await fetch(`${relay}/v1/subscribe?topic=x`, { headers: { 'last-event-id': '0' } });
      expect(await sse.text()).toContain('event: error\ndata: {"code":"storage_corrupt"');
      const dashboard = new TestDashboard(dash, auth);
      await dashboard.connected();
      const errors: { code: string }[] = [];
      dashboard.socket.on('xray:error', (e: { code: string }) => errors.push(e));
      let snapshots = 0;
      dashboard.socket.on('snapshot', () => snapshots++);
      await dashboard.subscribe({ kind: 'topic', topic: 'x' });
      // The shared snapshot cache may answer from memory without touching the damaged pages;
      // when its build does hit them, this client alone is told, with the code.
      await waitFor(() => errors.length > 0 || snapshots > 0, 5000, 'xray:error or snapshot');
      for (const e of errors) expect(e.code).toBe('storage_corrupt');
      dashboard.close();
      expect(server.output()).toContain('[store] the event log is CORRUPT');
      expect(server.child.exitCode).toBeNull();
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });
});

describe('[G8] upgrades', () => {
  it('[G8] the real server starts on a release 0.1.0 log, migrates it and serves every event', async () => {
    const dir = tempDir();
    fs.copyFileSync(path.join(import.meta.dirname, 'fixtures/schema-v0.db'), path.join(dir, 'events.db'));
    const e = await env(dir);
    const server = await startServerProcess(e);
    try {
      expect(server.output()).toContain('[store] schema migrated from version 0 to');
      const url = `http://127.0.0.1:${e.RELAY_PORT}`;
      const page = await (await fetch(`${url}/v1/events?after=0&limit=1000`)).json();
      const want = fixtureEvents();
      expect(page.events).toHaveLength(want.length);
      page.events.forEach((ev: NewEvent, i: number) => expect(ev).toMatchObject({ ...want[i], lamport: expect.any(Number) }));
      const r = await postJson(`${url}/v1/broadcast`, { topic: 'after-upgrade', payload: 'hello' });
      expect(r.status).toBe(200);
      expect(r.body.seq).toBe(want.length + 1);
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });
});
