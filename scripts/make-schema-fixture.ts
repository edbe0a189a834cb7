/**
 * Writes a small event log with the schema of the code it runs against, for the upgrade
 * test (server/store/migrations.integration.test.ts): a log written by one release must open
 * under the next, migrate, and keep every event.
 *
 *   node --import tsx scripts/make-schema-fixture.ts server/store/fixtures/schema-v0.db
 *
 * `schema-v0.db` was made with release 0.1.0 (user_version 0, before versioned migrations);
 * to snapshot a later release, check that release's server/store out and run this again
 * with a new file name, then add the file to the upgrade test. The events are deterministic
 * (fixed ids, times and trace ids) so the test can compare them field by field.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NewEvent } from '../lib/protocol/events';
import { LogWriter } from '../server/store/logWriter';
import { SqliteEventLog } from '../server/store/sqliteEventLog';

export const FIXTURE_TRACES = ['f'.repeat(31) + '1', 'f'.repeat(31) + '2', 'f'.repeat(31) + '3'];

/** The fixture's events, in seq order: 3 traces of calls, tokens and spans, plus topic traffic. */
export function fixtureEvents(): NewEvent[] {
  const events: NewEvent[] = [];
  let n = 0;
  const base = { t: null, trace_id: null, span_id: null, parent_span_id: null, peer: null, topic: null };
  const push = (e: Partial<NewEvent> & Pick<NewEvent, 'kind' | 'agent' | 'data'>) =>
    events.push({ ...base, id: `fixture-${String(++n).padStart(3, '0')}`, ts: 1_750_000_000_000 + n * 1000, ...e } as NewEvent);
  push({ kind: 'agent.register', agent: 'orchestrator', data: { transport: 'ws' } });
  push({ kind: 'agent.register', agent: 'researcher', data: { transport: 'ws', capabilities: ['search'] } });
  push({ kind: 'subscribe', agent: 'researcher', topic: 'findings', data: { transport: 'ws' } });
  FIXTURE_TRACES.forEach((trace_id, i) => {
    const span_id = `${i}`.repeat(16);
    const corr = `corr-${i}`;
    push({ kind: 'call.request', agent: 'orchestrator', peer: 'researcher', trace_id, span_id, data: { correlation_id: corr, method: 'research', payload: `topic ${i}`, timeout_ms: 30000, via: 'ws' } });
    push({ kind: 'span.start', agent: 'researcher', trace_id, span_id: `a${i}`.padEnd(16, '0'), parent_span_id: span_id, data: { name: 'gen_ai.chat', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 12 + i } } });
    for (let k = 0; k < 5; k++) push({ kind: 'token', agent: 'researcher', trace_id, span_id: `a${i}`.padEnd(16, '0'), data: { text: `tok${k} `, index: k, correlation_id: corr } });
    push({ kind: 'span.end', agent: 'researcher', trace_id, span_id: `a${i}`.padEnd(16, '0'), data: { status: i === 2 ? 'error' : 'ok', ...(i === 2 ? { error: 'rate limited' } : {}) } });
    if (i === 2) push({ kind: 'call.error', agent: 'researcher', peer: 'orchestrator', trace_id, span_id, data: { correlation_id: corr, code: 'worker_error', message: 'failed', duration_ms: 40 } });
    else push({ kind: 'call.response', agent: 'researcher', peer: 'orchestrator', trace_id, span_id, data: { correlation_id: corr, payload: `answer ${i}`, duration_ms: 40 } });
  });
  push({ kind: 'broadcast', agent: 'researcher', topic: 'findings', data: { payload: 'found it' } });
  push({ kind: 'agent.disconnect', agent: 'researcher', data: { reason: 'closed' } });
  return events;
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: make-schema-fixture.ts OUT.db');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-fixture-'));
  const log = SqliteEventLog.open(dir);
  const writer = await LogWriter.open(log);
  // One submit per event, as ingest would do, so lamports and trace rollups are the real ones.
  for (const e of fixtureEvents()) await writer.submit([e]);
  await writer.close(); // checkpoints the WAL into the main file
  fs.copyFileSync(path.join(dir, 'events.db'), out);
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`wrote ${out} (${fs.statSync(out).size} bytes)`);
}

if (import.meta.url === `file://${process.argv[1]}`) void main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
