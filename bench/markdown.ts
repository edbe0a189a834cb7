/** Prints bench/results.json as the README's Markdown table: `node --import tsx bench/markdown.ts`. */
import fs from 'node:fs';
import path from 'node:path';
import { formatTargetRow, targetRows } from './targets';

const file = process.argv[2] ?? path.join(import.meta.dirname, 'results.json');
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const x = r.results;
const rows: [string, string, string][] = [];
const add = (m: string, v: unknown, t = '') => rows.push([m, String(v), t]);
const n = (v: number) => v.toLocaleString('en-US');
if (x.ingest) {
  add(`Ingest, ${n(x.ingest.agents)} agents, single frames (tokens/s)`, n(x.ingest.tokens_per_s.single), '');
  add('Ingest, batched frames of 50 (tokens/s)', n(x.ingest.tokens_per_s.batched), '≥ 200,000');
  add('Bare `ws` server that only counts, same generator (msgs/s)', n(x.ingest.bare_ws_ceiling_msgs_per_s), '');
  add('Single-frame ingest ÷ bare ceiling', x.ingest.single_vs_ceiling, '≥ 0.70');
  add('Durability cost: acked ÷ unacked (single / batched)', `${x.ingest.durability_cost.single_acked_vs_unacked} / ${x.ingest.durability_cost.batched_acked_vs_unacked}`, '≥ 0.95 (single)');
}
for (const l of x.latency ?? []) add(`End-to-end latency at ${n(l.achieved_rate)} tokens/s, ${l.clients} client(s): p50 / p95 / p99 (ms)`, `${l.p50_ms} / ${l.p95_ms} / ${l.p99_ms}`, l.rate === 10000 && l.clients === 20 ? 'p99 ≤ 50' : '');
if (x.bandwidth) {
  add('Overview client bytes ÷ raw frame bytes', x.bandwidth.overview_vs_raw, '≤ 0.05');
  add('Overview bytes ÷ naive one-message-per-frame (same run)', x.bandwidth.overview_vs_naive, 'source claims a 90% cut');
  add('Trace-scope client bytes ÷ raw / ÷ naive', `${x.bandwidth.trace_vs_raw} / ${x.bandwidth.trace_vs_naive}`, '');
}
if (x.slow_client) {
  const s = x.slow_client;
  add(`Client stalled ${s.stall_s} s at ${n(s.rate)} tokens/s: tokens lost`, s.tokens_lost, '0');
  add('… text identical to the log after catching up', s.text_identical, '');
  add('… server heap growth while stalled (MB)', s.heap_growth_mb, '≤ 20');
  add('… time to catch up (ms)', n(s.catch_up_ms), '');
}
if (x.browser) {
  add(`Open a trace of ${n(x.browser.trace_open.spans)} spans / ${n(x.browser.trace_open.tokens)} tokens (ms)`, n(x.browser.trace_open.median_ms), '≤ 1,000');
}
if (x.search) for (const q of x.search.queries) add(`Trace text search over ${n(x.search.events)} events, ${q.kind} (ms, median)`, q.medianMs, q.q.length >= 3 ? '≤ 200' : '');
if (x.startup) add(`Start-up to the first ack, ${n(x.startup.events)}-event log / empty log (ms, median)`, `${n(x.startup.bigLog.medianAckMs)} / ${n(x.startup.emptyLog.medianAckMs)}`, '≤ 2,000');
for (const v of x.live_view ?? []) add(`Live view, ${n(v.agents)} agents (${n(v.streaming)} streaming), grouping off: frame interval p95 (ms, median of ${v.runs_p95_ms?.length ?? 0})`, v.error ?? v.frame_interval_p95_ms, `≤ ${v.target_p95_ms}`);
/** Host CPU steal over the run and its range over the sections, when the run measured it. */
function stealText(steal: Record<string, number> | undefined): string {
  if (steal?.run == null) return '';
  const sections = Object.entries(steal).filter(([k]) => k !== 'run').map(([, v]) => v);
  const range = sections.length > 1 ? `${Math.min(...sections)}–${Math.max(...sections)}` : `${sections[0]}`;
  return `, host CPU steal ${steal.run}% (time the hypervisor gave other guests; per section ${range}%)`;
}
console.log(`Measured ${r.date.slice(0, 10)} on ${r.machine.cpus} cores (${r.machine.cpu}), ${r.machine.memory_gb} GB, Node ${r.machine.node}; full run ${r.duration_s} s${stealText(r.host_steal_pct)}. Medians of repeated runs where repeated.\n`);
// Issue #18's targets first: every row, the figure of this run, met or not.
console.log('| target (#18) | measured | target | met |\n|---|---|---|---|');
for (const row of targetRows(x)) console.log(`| ${formatTargetRow(row).join(' | ')} |`);
console.log('\nEvery figure of the run:\n');
console.log('| measure | ours | target |\n|---|---|---|');
for (const [m, v, t] of rows) console.log(`| ${m} | ${v} | ${t} |`);
