import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, expect, it } from 'vitest';
import { ev } from '../testing/eventLogContract';
import { SqliteEventLog } from './sqliteEventLog';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-writer-thread-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const open = () => SqliteEventLog.open(fs.mkdtempSync(path.join(dir, 'db-')), { writer: 'thread' });
/** The live worker of a log's writer thread (test access to a private field). */
const workerOf = (log: SqliteEventLog) => (log as unknown as { thread: { worker: Worker | null } }).thread.worker;

it('[L1][L3] appends made in the writer thread are read back on the event loop connection, in seq order', async () => {
  const log = open();
  expect(log.threaded).toBe(true);
  const results = await log.append([ev({ kind: 'token', id: 'a' }), ev({ kind: 'token', id: 'b' })]);
  expect(results.map((r) => r.seq)).toEqual([1, 2]);
  expect(await log.head()).toBe(2);
  expect((await log.read({})).map((e) => e.id)).toEqual(['a', 'b']);
  await log.close();
});

it('[L10] a writer thread that dies fails its batch as a write (storage unavailable, nothing stored), and the next append starts a new one that continues the seq', async () => {
  const log = open();
  await log.append([ev({ kind: 'token', id: 'first' })]);
  // A batch big enough (tens of ms of work in the thread) that the termination right behind it
  // always lands before its COMMIT: a small one may be committed and answered first.
  const inFlight = log.append(Array.from({ length: 20_000 }, (_, i) => ev({ kind: 'token', id: `lost-${i}` })));
  await workerOf(log)!.terminate();
  await expect(inFlight).rejects.toMatchObject({ code: 'storage_unavailable' });
  expect(log.health.state).toBe('unavailable');
  // What the storage probe does: a write on the event loop's connection succeeds (the dead
  // thread's open transaction was rolled back and its lock released), so ingest resumes.
  log.probeWrite();
  log.health.recovered();
  const [r] = await log.append([ev({ kind: 'token', id: 'after' })]);
  expect(r).toMatchObject({ seq: 2, duplicate: false });
  expect((await log.read({ limit: 100_000 })).map((e) => e.id)).toEqual(['first', 'after']);
  await log.close();
});

it('[L8] retention on the event loop connection and appends in the writer thread take turns on the write lock', async () => {
  const log = open();
  const old = Date.now() - 60_000;
  await log.append(Array.from({ length: 200 }, (_, i) => ev({ kind: 'token', id: `old-${i}`, ts: old })));
  // Appends in flight while retention batches run on the other connection: neither fails.
  const appends = Array.from({ length: 20 }, (_, b) => log.append(Array.from({ length: 50 }, (_, i) => ev({ kind: 'token', id: `new-${b}-${i}`, ts: Date.now() }))));
  let done = false;
  while (!done) {
    done = log.expireBatch(old + 1, 10).done;
    await new Promise((r) => setImmediate(r)); // let the thread's answers in between
  }
  await Promise.all(appends);
  expect(log.health.state).toBe('ok');
  const left = await log.read({ limit: 10_000 });
  expect(left.filter((e) => e.id.startsWith('old-'))).toHaveLength(0);
  expect(left.filter((e) => e.id.startsWith('new-'))).toHaveLength(1000);
  await log.close();
});

it('[L10] close() lets the thread finish and stops it; an append after close is refused with a code', async () => {
  const log = open();
  await log.append([ev({ kind: 'token', id: 'x' })]);
  const worker = workerOf(log)!;
  const exited = new Promise((r) => worker.once('exit', r));
  await log.close();
  await exited;
  await expect(log.append([ev({ kind: 'token', id: 'y' })])).rejects.toMatchObject({ code: 'storage_unavailable' });
});
