/**
 * What the text search index (migration 004) costs the append path: the same token events
 * appended through `SqliteEventLog.append` (batches of 100) with the index row written and
 * with that write stubbed out, runs alternated; CPU time, not wall time, so a busy machine
 * hurts both alike. Run in-process: `npx tsx bench/textIndexCost.main.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StampedEvent } from '../server/store/eventLog';
import { SqliteEventLog } from '../server/store/sqliteEventLog';
import { median, round } from './stats';

const WORDS = [' the', ' quick', ' brown', ' fox', ' jumps', ' over', ' lazy', ' dog', ' security', ' scan', ' plan', ' result', ' agent', ' token', ' of', ' and'];

async function once(events: number, indexed: boolean): Promise<{ cpuEventsPerS: number; bytes: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-index-cost-'));
  const log = SqliteEventLog.open(dir);
  // The only difference between the two runs: the index row is not written. The statement
  // lives in the log's appender (sqliteAppender.ts); stubbing a name that no longer exists
  // would measure nothing, so a missing one fails the run instead.
  if (!indexed) {
    const appender = (log as unknown as { appender: { indexText?: { run(): void } } | null }).appender;
    if (!appender?.indexText) throw new Error('textIndexCost: the inline appender has no indexText statement to stub');
    appender.indexText = { run() {} };
  }
  const c0 = process.cpuUsage();
  for (let n = 0; n < events; ) {
    const batch: StampedEvent[] = [];
    for (let i = 0; i < 100; i++, n++) {
      batch.push({ id: `e${n}`, ts: n, t: null, kind: 'token', trace_id: (n % 200).toString(16).padStart(32, '0'), span_id: '1'.repeat(16), parent_span_id: null, agent: `a${n % 50}`, peer: null, topic: null, lamport: n, data: { text: WORDS[n % 16] + (n % 1000) } } as StampedEvent);
    }
    await log.append(batch);
  }
  const cpu = process.cpuUsage(c0);
  const bytes = log.bytesOnDisk();
  await log.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { cpuEventsPerS: Math.round(events / ((cpu.user + cpu.system) / 1e6)), bytes };
}

export async function benchTextIndexCost(o: { events: number; repeats: number }) {
  const withIndex: number[] = [];
  const without: number[] = [];
  let bytes = { with: 0, without: 0 };
  for (let i = 0; i < o.repeats; i++) {
    const a = await once(o.events, false);
    const b = await once(o.events, true);
    without.push(a.cpuEventsPerS);
    withIndex.push(b.cpuEventsPerS);
    bytes = { with: b.bytes, without: a.bytes };
  }
  return {
    events: o.events,
    runs: o.repeats,
    cpu_events_per_s: { with_index: median(withIndex), without_index: median(without) },
    ratio: round(median(withIndex) / median(without), 2),
    bytes_ratio: round(bytes.with / bytes.without, 2),
  };
}
