/** The big-log fixture is what the server itself would have written: summaries, search index and ids agree with the log it holds. */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { SqliteEventLog } from '../server/store/sqliteEventLog';
import { bigLogDir, buildBigLog } from './bigLog';

it('[L4][L6] builds a log the server opens as is: trace summaries match the events, the planted words are found, the second call uses the cache', async () => {
  const events = 6_000;
  fs.rmSync(bigLogDir(events), { recursive: true, force: true });
  const lines: string[] = [];
  const built = await buildBigLog({ events, tokensPerTrace: 100, concurrent: 8, progress: (l) => lines.push(l) });
  expect(built.cached).toBe(false);
  expect(lines.at(-1)).toContain('built in');
  const log = SqliteEventLog.open(built.dataDir);
  try {
    expect(log.migration.applied).toEqual([]); // already at the current schema
    expect(await log.head()).toBe(events + 2 * built.traces); // tokens plus a span.start and span.end per trace
    const traces = await log.listTraces({ limit: 500 });
    expect(traces).toHaveLength(built.traces);
    const db = new Database(path.join(built.dataDir, 'events.db'), { readonly: true });
    const counted = new Map((db.prepare('SELECT trace_id, COUNT(*) AS n, MIN(seq) AS first, MAX(seq) AS last FROM events GROUP BY trace_id').all() as { trace_id: string; n: number; first: number; last: number }[]).map((r) => [r.trace_id, r]));
    db.close();
    for (const t of traces) expect([t.events, t.first_seq, t.last_seq]).toEqual([counted.get(t.trace_id)!.n, counted.get(t.trace_id)!.first, counted.get(t.trace_id)!.last]);
    expect(await log.listTraces({ text: built.rareWord })).toHaveLength(built.rareWordTraces);
    expect(await log.listTraces({ text: built.commonWord, limit: 5 })).toHaveLength(5);
    expect((await log.listTraces({ text: built.sampleTraceId.slice(5, 17) })).map((t) => t.trace_id)).toEqual([built.sampleTraceId]);
  } finally {
    await log.close();
  }
  expect((await buildBigLog({ events, tokensPerTrace: 100, concurrent: 8, progress: () => undefined })).cached).toBe(true);
  fs.rmSync(built.dataDir, { recursive: true, force: true });
});
