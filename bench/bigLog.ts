/**
 * A realistic big event log for the search and start-up benchmarks: `events` token events
 * (plus a span.start / span.end pair per trace) across many traces and agents, written
 * straight into an SQLite log file with prepared multi-row inserts in big transactions — the
 * same schema, search index and trace summaries the server keeps, built in a minute or two
 * instead of an hour through the relay.
 *
 * Cached under os.tmpdir(), keyed by the fixture version, the schema version and the size, so
 * repeated bench runs reuse it (a `.complete` marker is written last: an interrupted build is
 * rebuilt). The benchmarks may append a few events to it; that keeps it valid.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MIGRATIONS } from '../server/store/migrations';
import { SqliteEventLog } from '../server/store/sqliteEventLog';

/** Bump when the generated content changes: a cached log of another version is rebuilt. */
const FIXTURE_VERSION = 1;

export interface BigLogOptions {
  events: number;
  /** Token events per trace (the trace count follows). */
  tokensPerTrace?: number;
  agents?: number;
  /** Traces streaming at the same time: their events interleave in the log. */
  concurrent?: number;
  progress?: (line: string) => void;
}

export interface BigLog {
  dataDir: string;
  events: number;
  traces: number;
  agents: number;
  /** Seconds the build took (0 when the cache was used). */
  buildSeconds: number;
  cached: boolean;
  bytes: number;
  /** Words planted for the search queries, and a trace id to search a fragment of. */
  rareWord: string;
  rareWordTraces: number;
  commonWord: string;
  sampleTraceId: string;
}

const RARE = 'xylophonist';
const COMMON = 'the';
/** Recorded text of a token is a word with its leading space, like a model's output. */
const VOCABULARY = [
  'the', 'of', 'and', 'to', 'a', 'in', 'is', 'that', 'for', 'it', 'as', 'with', 'was', 'on', 'be', 'by', 'this', 'are', 'from', 'or',
  'agent', 'plan', 'tool', 'call', 'result', 'search', 'query', 'file', 'code', 'test', 'error', 'retry', 'scan', 'security', 'report',
  'vulnerability', 'dependency', 'function', 'return', 'value', 'build', 'deploy', 'review', 'summary', 'context', 'memory', 'token',
  'response', 'request', 'analysis', 'step', 'next', 'done', 'check', 'found', 'issue', 'fix', 'patch', 'commit', 'branch', 'merge',
];

/** Deterministic (mulberry32): the same fixture on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export function bigLogDir(events: number): string {
  return path.join(os.tmpdir(), `xray-biglog-v${FIXTURE_VERSION}-schema${MIGRATIONS.length}-${events}`);
}

export async function buildBigLog(opts: BigLogOptions): Promise<BigLog> {
  const tokensPerTrace = opts.tokensPerTrace ?? 500;
  const agents = opts.agents ?? 2_000;
  const concurrent = opts.concurrent ?? 64;
  const progress = opts.progress ?? ((l: string) => console.log(l));
  const traces = Math.ceil(opts.events / tokensPerTrace);
  const dataDir = bigLogDir(opts.events);
  const file = path.join(dataDir, 'events.db');
  const marker = path.join(dataDir, '.complete');
  const rareWordTraces = Math.max(1, Math.round(traces / 5_000)); // about 1 trace in 5,000
  const meta = { dataDir, events: opts.events, traces, agents, rareWord: RARE, rareWordTraces, commonWord: COMMON, sampleTraceId: traceIdOf(Math.floor(traces / 2)) };
  if (fs.existsSync(marker)) {
    return { ...meta, buildSeconds: 0, cached: true, bytes: fs.statSync(file).size };
  }
  const started = Date.now();
  fs.rmSync(dataDir, { recursive: true, force: true });
  // The server's own open: schema, migrations, pragmas. Then raw inserts on a plain connection.
  await SqliteEventLog.open(dataDir).close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // a fixture: rebuilt if the machine dies mid-way
  db.pragma('cache_size = -262144');
  // Faster to build the secondary indexes once at the end than to keep them per row.
  const indexes = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL").pluck().all() as string[];
  for (const name of db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL").pluck().all() as string[]) db.exec(`DROP INDEX ${name}`);

  const ROWS = 100;
  const cols = '(seq,id,ts,t,kind,trace_id,span_id,parent_span_id,agent,peer,topic,lamport,data,scope)';
  const place = `(${new Array(14).fill('?').join(',')})`;
  const insertMany = db.prepare(`INSERT INTO events ${cols} VALUES ${new Array(ROWS).fill(place).join(',')}`);
  const insertOne = db.prepare(`INSERT INTO events ${cols} VALUES ${place}`);
  const ftsMany = db.prepare(`INSERT INTO events_fts (rowid, body) VALUES ${new Array(ROWS).fill('(?,?)').join(',')}`);
  const ftsOne = db.prepare('INSERT INTO events_fts (rowid, body) VALUES (?,?)');
  const traceRow = db.prepare('INSERT INTO traces (trace_id, first_seq, last_seq, start_ts, end_ts, events, errors, max_lamport, agents) VALUES (?,?,?,?,?,?,?,?,?)');

  const random = rng(18);
  const t0 = Date.now() - 86_400_000; // a day ago: recent, never past a default retention
  let seq = 0;
  let pending: unknown[] = [];
  let pendingFts: unknown[] = [];
  /** Writes the buffered rows: full multi-row statements, then (at the end of a step) the rest one by one. */
  const flush = (all: boolean) => {
    const write = (buf: unknown[], width: number, many: Database.Statement, one: Database.Statement): unknown[] => {
      let i = 0;
      for (; i + ROWS * width <= buf.length; i += ROWS * width) many.run(buf.slice(i, i + ROWS * width));
      if (!all) return buf.slice(i);
      for (; i < buf.length; i += width) one.run(buf.slice(i, i + width));
      return [];
    };
    pending = write(pending, 14, insertMany, insertOne);
    pendingFts = write(pendingFts, 2, ftsMany, ftsOne);
  };
  const add = (kind: string, traceId: string, spanId: string, agent: string, lamport: number, data: Record<string, unknown>, text: string) => {
    seq++;
    pending.push(seq, `b${seq}`, t0 + Math.floor(seq / 20), null, kind, traceId, spanId, null, agent, null, null, lamport, JSON.stringify(data), `bench|agent:${agent}`);
    pendingFts.push(seq, text);
    return seq;
  };

  // Traces start in waves of `concurrent`; within a wave their events interleave round-robin.
  const summaries: { id: string; first: number; last: number; firstTs: number; lastTs: number; n: number; agent: string }[] = [];
  const tx = db.transaction((from: number, to: number) => {
    for (let w = from; w < to; w += concurrent) {
      const wave = [];
      for (let k = w; k < Math.min(to, w + concurrent); k++) {
        const id = traceIdOf(k);
        const agent = `agent-${k % agents}`;
        const rare = k % Math.max(1, Math.floor(traces / rareWordTraces)) === 7 % Math.max(1, Math.floor(traces / rareWordTraces));
        const first = add('span.start', id, hex(k, 16), agent, 1, { name: `task ${k % 97}`, attributes: { 'gen_ai.agent.name': agent } }, `task ${k % 97}\n${agent}`);
        wave.push({ k, id, agent, rare, first, n: 1, lamport: 1 });
      }
      for (let i = 0; i < tokensPerTrace; i++) {
        for (const t of wave) {
          const r = random();
          // Zipf-ish: the first words of the vocabulary are by far the most frequent.
          const word = t.rare && i === Math.min(123, tokensPerTrace - 1) ? RARE : VOCABULARY[Math.floor(VOCABULARY.length * r * r * r)];
          const text = ` ${word}`;
          add('token', t.id, hex(t.k, 16), t.agent, ++t.lamport, { text }, text);
          t.n++;
        }
      }
      for (const t of wave) {
        const last = add('span.end', t.id, hex(t.k, 16), t.agent, ++t.lamport, { status: 'ok' }, '');
        pendingFts.length -= 2; // span.end has no recorded text: no index row
        summaries.push({ id: t.id, first: t.first, last, firstTs: t0 + Math.floor(t.first / 20), lastTs: t0 + Math.floor(last / 20), n: t.n + 1, agent: t.agent });
      }
      flush(false);
    }
    flush(true);
  });
  const STEP = Math.max(concurrent, Math.floor(100_000 / tokensPerTrace / concurrent) * concurrent);
  for (let k = 0; k < traces; k += STEP) {
    tx(k, Math.min(traces, k + STEP));
    if ((k / STEP) % 10 === 0 || k + STEP >= traces) progress(`[bigLog] ${seq.toLocaleString('en')} events written (${Math.round((Math.min(traces, k + STEP) / traces) * 100)}%, ${Math.round((Date.now() - started) / 1000)} s)`);
  }
  db.transaction(() => {
    for (const s of summaries) traceRow.run(s.id, s.first, s.last, s.firstTs, s.lastTs, s.n, 0, s.n, JSON.stringify([s.agent]));
  })();
  progress(`[bigLog] building the event indexes (${Math.round((Date.now() - started) / 1000)} s)`);
  for (const sql of indexes) db.exec(sql);
  progress(`[bigLog] merging the search index (${Math.round((Date.now() - started) / 1000)} s)`);
  db.exec("INSERT INTO events_fts (events_fts) VALUES ('optimize')");
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  fs.writeFileSync(marker, JSON.stringify({ ...meta, builtAt: new Date().toISOString() }));
  const buildSeconds = (Date.now() - started) / 1000;
  progress(`[bigLog] ${seq.toLocaleString('en')} events in ${traces.toLocaleString('en')} traces built in ${buildSeconds.toFixed(0)} s`);
  return { ...meta, buildSeconds, cached: false, bytes: fs.statSync(file).size };
}

function traceIdOf(k: number): string {
  // Spread over the id space like random W3C ids, deterministic per trace number.
  const r = rng(k + 1);
  let id = '';
  for (let i = 0; i < 4; i++) id += hex(Math.floor(r() * 2 ** 32), 8);
  return id;
}
