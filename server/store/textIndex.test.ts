/** The SQLite text search index (migration 004): built for an old log, kept with every append, cleaned by retention, never changing what a search means (SPEC.md L6). */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ev } from '../testing/eventLogContract';
import { MIGRATIONS, migrate } from './migrations';
import { SqliteEventLog } from './sqliteEventLog';
import { ASK_SQLITE, indexedText } from './indexedText';

const traceId = (i: number) => i.toString(16).padStart(32, '0');
const indexRows = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT rowid FROM events_fts ORDER BY rowid').pluck().all() as number[];
  } finally {
    db.close();
  }
};

it('[L6] indexedText: the atoms the exact check reads, joined by newlines; SQLite renders what JS might render differently', () => {
  expect(indexedText({ text: 'a', status: 'ok', attributes: { k: 'v', n: 42, b: true, z: null, o: { deep: 'x' } } })).toBe('a\nv\n42\n1');
  expect(indexedText({ payload: 'p', method: 'm' })).toBe('p\nm');
  expect(indexedText({ status: 'ok' })).toBeNull();
  expect(indexedText({ attributes: { x: 0.1 } })).toBe(ASK_SQLITE); // SQLite prints reals its own way
  expect(indexedText({ text: 'lone \ud800' })).toBe(ASK_SQLITE);
  expect(indexedText({ attributes: ['a', 1] })).toBe('a\n1'); // json_tree lists array elements under the same path
});

it('[L6][G8] migration 004 indexes an existing log (written at version 3), and searches then find its text', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-fts-mig-'));
  const file = path.join(dir, 'events.db');
  const db = new Database(file);
  migrate(db, MIGRATIONS.slice(0, 3));
  const insert = db.prepare("INSERT INTO events (seq, id, ts, kind, trace_id, agent, lamport, data) VALUES (?, ?, 1, 'token', ?, 'a', 1, ?)");
  const upsert = db.prepare("INSERT INTO traces VALUES (?, ?, ?, 1, 1, 1, 0, 1, '[\"a\"]')");
  insert.run(1, 'x1', traceId(1), JSON.stringify({ text: 'an old needle' }));
  insert.run(2, 'x2', null, JSON.stringify({ text: 'no trace needle' }));
  insert.run(3, 'x3', traceId(3), JSON.stringify({ attributes: { r: 0.25 } }));
  upsert.run(traceId(1), 1, 1);
  upsert.run(traceId(3), 3, 3);
  db.close();
  const log = SqliteEventLog.open(dir);
  expect(log.migration.applied).toEqual(['004-text-index', '005-text-index-merging', '006-ids-index-by-id']);
  expect(indexRows(file)).toEqual([1, 3]); // events outside a trace are not searched
  expect((await log.listTraces({ text: 'NEEDLE' })).map((t) => t.trace_id)).toEqual([traceId(1)]);
  expect((await log.listTraces({ text: '0.25' })).map((t) => t.trace_id)).toEqual([traceId(3)]);
  await log.close();
});

it('[L6][L8] retention deletes the index rows with their events', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-fts-ret-'));
  const log = SqliteEventLog.open(dir);
  await log.append([ev({ kind: 'token', trace_id: traceId(1), ts: 1_000, data: { text: 'gone' } }), ev({ kind: 'token', trace_id: traceId(2), ts: 5_000, data: { text: 'kept' } })]);
  expect(indexRows(path.join(dir, 'events.db'))).toEqual([1, 2]);
  while (!log.expireBatch(2_000, 10).done);
  expect(indexRows(path.join(dir, 'events.db'))).toEqual([2]);
  await log.close();
});

it('[L6] a common word (more index hits than the cap) finds exactly what few hits would, newest trace first, and the exact check still decides', async () => {
  const log = SqliteEventLog.inMemory();
  for (let i = 1; i <= 30; i++) {
    await log.append([
      ev({ kind: 'token', trace_id: traceId(i), data: { text: i % 3 === 0 ? 'the word' : 'other' } }),
      // Case-folded by the index but not by LIKE (ASCII only): a hit the exact check rejects.
      ev({ kind: 'token', trace_id: traceId(i), data: { text: i % 3 === 1 ? 'THÉ WORD' : 'x' } }),
    ]);
  }
  const search = async (cap: number, text: string) => {
    log.textHitsCap = cap;
    return (await log.listTraces({ text, limit: 50 })).map((t) => t.trace_id);
  };
  const expected = [30, 27, 24, 21, 18, 15, 12, 9, 6, 3].map(traceId);
  expect(log.textPlan('the w').kind).toBe('hits');
  expect(await search(1_000, 'the w')).toEqual(expected);
  log.textHitsCap = 2;
  expect(log.textPlan('the w').kind).toBe('index');
  expect(await search(2, 'the w')).toEqual(expected);
  expect(await search(2, 'the w')).toEqual(await search(1_000, 'the w'));
  expect((await log.listTraces({ text: 'the w', limit: 3 })).map((t) => t.trace_id)).toEqual(expected.slice(0, 3));
  expect(await search(2, 'thé w')).toEqual([]); // index hits only, no exact match
  expect(await search(1_000, 'thé w')).toEqual([]);
  await log.close();
});

it('[L6] migration 005: the index merges 16 segments a level (64 at once at most), for every open, and searches across many small commits still find each one', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-fts-merge-'));
  const log = SqliteEventLog.open(dir);
  // One segment per commit: 40 commits make levels deeper than the default merge point (4).
  for (let i = 1; i <= 40; i++) await log.append([ev({ kind: 'token', trace_id: traceId(i), data: { text: `commit number ${i} needle${i}x` } })]);
  await log.close();
  const db = new Database(path.join(dir, 'events.db'), { readonly: true });
  const config = Object.fromEntries(db.prepare('SELECT k, v FROM events_fts_config').raw(true).all() as [string, number][]);
  db.close();
  expect(config).toMatchObject({ automerge: 16, crisismerge: 64 });
  const reopened = SqliteEventLog.open(dir);
  for (const i of [1, 4, 5, 17, 40]) expect((await reopened.listTraces({ text: `needle${i}x` })).map((t) => t.trace_id)).toEqual([traceId(i)]);
  expect((await reopened.listTraces({ text: 'commit number', limit: 100 })).length).toBe(40);
  await reopened.close();
});
