/**
 * Issue #18's target table, as data: each row reads its figure from a bench run's results and
 * says whether the target is met. Pure (unit-tested beside it), so the printed table, the JSON
 * in bench/results.json and the README all say the same thing.
 */

export interface TargetRow {
  measure: string;
  /** The figure as measured, or null when the section did not run (or failed). */
  value: number | null;
  unit: string;
  /** `≥` or `≤` the bound. */
  op: '≥' | '≤';
  target: number;
  met: boolean | null;
}

type Results = Record<string, any>;

interface TargetSpec {
  measure: string;
  unit: string;
  op: '≥' | '≤';
  target: number;
  /**
   * How far past the bound still meets it. Only for frame intervals: ≤ 16.7 ms means "every
   * frame at 60 Hz", and requestAnimationFrame intervals of an on-time 60 Hz frame read
   * 16.67 ± a few tenths (16.8 is one frame, 33.3 is two).
   */
  slack?: number;
  read: (r: Results) => number | null | undefined;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export const TARGETS: readonly TargetSpec[] = [
  { measure: 'single-frame ingest ÷ bare ws ceiling (1,000 agents)', unit: '×', op: '≥', target: 0.7, read: (r) => r.ingest?.single_vs_ceiling },
  { measure: 'batched ingest (frames of 50), with persistence', unit: 'tokens/s', op: '≥', target: 200_000, read: (r) => r.ingest?.tokens_per_s?.batched },
  { measure: 'acked ÷ unacked (single frames)', unit: '×', op: '≥', target: 0.95, read: (r) => r.ingest?.durability_cost?.single_acked_vs_unacked },
  {
    measure: 'e2e p99 at 10k tokens/s, 20 clients',
    unit: 'ms',
    op: '≤',
    target: 50,
    read: (r) => (r.latency as any[] | undefined)?.find((l) => l.rate === 10_000 && l.clients === 20)?.p99_ms,
  },
  { measure: 'heap growth, client stalled 30 s at 1k tokens/s (after a forced GC)', unit: 'MB', op: '≤', target: 20, read: (r) => r.slow_client?.heap_growth_mb },
  { measure: 'live view p95 frame interval, 5,000 agents, grouping off (one 60 Hz frame)', unit: 'ms', op: '≤', target: 16.7, slack: 0.5, read: (r) => liveView(r, 5000) },
  { measure: 'live view p95 frame interval, 20,000 agents, grouping off (two 60 Hz frames)', unit: 'ms', op: '≤', target: 33, slack: 0.5, read: (r) => liveView(r, 20_000) },
  { measure: 'open a 1,000-span / 100,000-token trace (click → interactive)', unit: 'ms', op: '≤', target: 300, read: (r) => traceOpen(r, 1000) },
  { measure: 'open a 10,000-span / 1,000,000-token trace', unit: 'ms', op: '≤', target: 1500, read: (r) => traceOpen(r, 10_000) },
  { measure: '/api/traces?q= text search over 10M logged tokens', unit: 'ms', op: '≤', target: 200, read: (r) => r.search?.worstMedianMs },
  { measure: 'server RSS, 1M events logged, 100 dashboards connected', unit: 'MB', op: '≤', target: 300, read: (r) => r.rss?.rss_mb },
  { measure: 'start-up with a 10M-event log to first ack', unit: 'ms', op: '≤', target: 2000, read: (r) => r.startup?.bigLog?.medianAckMs },
];

function liveView(r: Results, agents: number): number | undefined {
  return (r.live_view as any[] | undefined)?.find((v) => v.agents === agents && !v.error)?.frame_interval_p95_ms;
}

function traceOpen(r: Results, spans: number): number | undefined {
  return (r.trace_open as any[] | undefined)?.find((o) => o.spans === spans && !o.error)?.median_ms;
}

export function targetRows(results: Results): TargetRow[] {
  return TARGETS.map((t) => {
    let value: number | null = null;
    try {
      value = num(t.read(results));
    } catch {
      value = null; // a section with an unexpected shape reads as not measured
    }
    const slack = t.slack ?? 0;
    const met = value === null ? null : t.op === '≥' ? value >= t.target : value <= t.target + slack;
    return { measure: t.measure, value, unit: t.unit, op: t.op, target: t.target, met };
  });
}

/** One row as text, for the console and the README: `measure | value unit | ≤ target | ✓`. */
export function formatTargetRow(row: TargetRow): [string, string, string, string] {
  const fmt = (n: number) => (Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : String(n));
  const value = row.value === null ? 'not measured' : `${fmt(row.value)} ${row.unit}`;
  return [row.measure, value, `${row.op} ${fmt(row.target)} ${row.unit}`, row.met === null ? '–' : row.met ? '✓' : '✗'];
}
