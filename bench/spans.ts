/**
 * Telemetry read-back benchmark (not in the quick run: building a million-span index takes
 * a while). Two figures:
 * - query latency over an index of N spans (default 1,000,000), built through the index's
 *   real commit path (SpanIndex.apply on committed-event batches) in a temporary directory;
 * - watch delivery latency: from an agent sending a span over its WebSocket to the matching
 *   span arriving on an SSE watch, against a real relay (client and relay in this process).
 *
 * Run alone: `node --import tsx bench/spans.ts [--spans N]`; `npm run bench -- --only=spans`.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { XrayEvent } from '../lib/protocol/events';
import { parseSelector } from '../lib/selector/parse';
import { loadConfig } from '../server/config';
import { startDataPlane } from '../server/dataPlane';
import { wireDataPlane } from '../server/xray';
import { SpanIndex } from '../server/spans/spanIndex';
import { SseReader } from '../server/testing/sseReader';
import { TestAgent } from '../server/testing/harness';
import { percentile, round } from './stats';

const NAMES = ['llm.chat', 'execute_tool', 'retrieval', 'invoke_agent', 'security_scan_complete', 'tests_complete', 'merge', 'release'];
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** Deterministic synthetic spans: 8 names, 200 agents, ~5% errors, 3-4 attributes each, traces of 20 spans. */
function batchOf(from: number, count: number, seq0: number, t0: number): XrayEvent[] {
  const events: XrayEvent[] = [];
  let seq = seq0;
  for (let i = from; i < from + count; i++) {
    const trace = hex(Math.floor(i / 20) + 1, 32);
    const span = hex(i + 1, 16);
    const parent = i % 20 === 0 ? null : hex(Math.floor(i / 20) * 20 + 1, 16);
    const name = i % 20 === 0 ? 'release' : NAMES[(i * 7) % NAMES.length];
    const agent = `agent-${i % 200}`;
    const start = t0 + i * 3;
    const attributes: Record<string, string | number | boolean> = { 'gen_ai.request.model': i % 3 ? 'sim-gpt-mini' : 'sim-gpt-large', 'task.id': `task-${i % 5000}`, 'quality.score': (i % 100) / 100 };
    if (name === 'security_scan_complete') attributes['vulnerabilities.critical'] = i % 13 === 0 ? (i % 5) + 1 : 0;
    const base = { ts: start, trace_id: trace, span_id: span, agent, peer: null, topic: null, lamport: 0 };
    events.push({ ...base, seq: ++seq, id: `otlp-${trace}-${span}-start`, t: start, kind: 'span.start', parent_span_id: parent, data: { name, attributes } } as XrayEvent);
    events.push({ ...base, seq: ++seq, id: `otlp-${trace}-${span}-end`, t: start + 5 + (i % 2000), kind: 'span.end', parent_span_id: null, data: { status: i % 20 === 7 ? 'error' : 'ok' } } as XrayEvent);
  }
  return events;
}

/**
 * The index's directory under the temp dir, cached between runs (building 1M spans is ~3 min
 * of a full run's 12): keyed by the span index's source and this file's generator, so a change
 * to either builds it afresh. The build's own figures are kept beside it and reported with it.
 */
function spanIndexCacheDir(spans: number): string {
  const source = ['../server/spans/spanIndex.ts', './spans.ts'].map((f) => fs.readFileSync(new URL(f, import.meta.url), 'utf8')).join('\0');
  return path.join(os.tmpdir(), `xray-bench-spans-${createHash('sha256').update(source).digest('hex').slice(0, 12)}-${spans}`);
}

interface SpanIndexBuild {
  build_s: number;
  build_cpu_s: number;
  built_at: string;
}

export async function benchSpanQueries(spans: number, runs = 15): Promise<Record<string, unknown>> {
  const dir = spanIndexCacheDir(spans);
  const buildFile = path.join(dir, 'build.json');
  const cached = fs.existsSync(buildFile);
  if (!cached) fs.rmSync(dir, { recursive: true, force: true });
  const index = SpanIndex.open(dir);
  try {
    let build: SpanIndexBuild;
    if (cached) build = JSON.parse(fs.readFileSync(buildFile, 'utf8')) as SpanIndexBuild;
    else {
      const t0 = Date.now() - spans * 3 - 60_000;
      const started = performance.now();
      const cpu0 = process.cpuUsage();
      const BATCH = 2500; // spans per commit (5,000 events, the writer's batch size)
      for (let at = 0; at < spans; at += BATCH) index.apply(batchOf(at, Math.min(BATCH, spans - at), at * 2, t0), false);
      const cpu = process.cpuUsage(cpu0);
      // CPU time, not wall time, is the honest cost on a shared machine.
      build = { build_s: round((performance.now() - started) / 1000, 1), build_cpu_s: round((cpu.user + cpu.system) / 1e6, 1), built_at: new Date().toISOString() };
      fs.writeFileSync(buildFile, JSON.stringify(build)); // last: an interrupted build is not reused
    }
    const someTrace = hex(Math.floor(spans / 40) + 1, 32);
    const queries: [string, string, object?][] = [
      ['name + attribute', 'span[name="security_scan_complete" vulnerabilities.critical=0]'],
      ['attribute range', 'span[vulnerabilities.critical>=3]'],
      ['agent + status', 'span[agent="agent-7" status="error"]'],
      ['name + duration', 'span[name="llm.chat" duration > 1900ms]'],
      ['one trace', `span[trace_id="${someTrace}"]`],
      ['descendant', 'span[name="release"] span[name="security_scan_complete" vulnerabilities.critical>0]'],
      ['OR of two names', 'span[name="merge"], span[name="tests_complete"]'],
      ['unindexed (!=, contains): bounded scan', 'span[task.id contains "task-49" quality.score!=0.5]'],
      ['nothing matches (bounded scan)', 'span[name="no_such_span"]'],
    ];
    const results = [];
    for (const [label, q] of queries) {
      const selector = parseSelector(q);
      const times: number[] = [];
      let found = 0;
      let next: number | null = null;
      for (let r = 0; r < runs; r++) {
        const t = performance.now();
        const page = index.query({ selector, limit: 100 });
        times.push(performance.now() - t);
        found = page.spans.length;
        next = page.next;
      }
      results.push({ query: label, selector: q, returned: found, more: next !== null, p50_ms: round(percentile(times, 50), 2), p95_ms: round(percentile(times, 95), 2), max_ms: round(Math.max(...times), 2) });
    }
    return { spans: index.size, ...build, build_cached: cached, index_cpu_us_per_span: round((build.build_cpu_s * 1e6) / spans, 1), index_mb: round(fs.statSync(path.join(dir, 'spans.db')).size / 2 ** 20, 0), queries: results };
  } finally {
    index.close();
  }
}

export async function benchWatchLatency(count = 400, perSecond = 100): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-bench-watch-'));
  const plane = await startDataPlane({ ...loadConfig({ NODE_ENV: 'production' }), relayPort: 0, dataDir });
  wireDataPlane(plane); // the span index and the watches follow commits as in the process
  const url = `http://127.0.0.1:${plane.relayPort}`;
  const sse = await SseReader.open(`${url}/v1/spans/watch?q=${encodeURIComponent('span[name="security_scan_complete" vulnerabilities.critical=0]')}`);
  const agent = await TestAgent.connect(`ws://127.0.0.1:${plane.relayPort}/ws`, 'security-scanner');
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  await new Promise((r) => setTimeout(r, 100)); // the watch is registered
  try {
    const trace = hex(7, 32);
    for (let i = 0; i < count; i++) {
      const span = hex(i + 1, 16);
      const t = performance.now();
      sent.set(span, t);
      agent.send({
        type: 'frames',
        frames: [
          { type: 'span.start', trace_id: trace, span_id: span, name: 'security_scan_complete', attributes: { 'vulnerabilities.critical': 0 } },
          { type: 'span.end', trace_id: trace, span_id: span, status: 'ok' },
        ],
      });
      await new Promise((r) => setTimeout(r, 1000 / perSecond));
    }
    const deadline = Date.now() + 10_000;
    let seen = 0;
    while (seen < count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
      seen = sse.events.length;
    }
    for (const e of sse.events) {
      const start = sent.get((JSON.parse(e.data) as { span_id: string }).span_id);
      if (start !== undefined) latencies.push(e.at - start);
    }
    return { spans: count, offered_per_s: perSecond, delivered: sse.events.length, p50_ms: round(percentile(latencies, 50), 2), p95_ms: round(percentile(latencies, 95), 2), p99_ms: round(percentile(latencies, 99), 2) };
  } finally {
    sse.close();
    await agent.close();
    await plane.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const arg = process.argv.indexOf('--spans');
  const spans = arg > 0 ? Number(process.argv[arg + 1]) : 1_000_000;
  const result = { query: await benchSpanQueries(spans), watch: await benchWatchLatency() };
  console.log(JSON.stringify(result, null, 2));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
