/**
 * Gate checks over time for the Gates page: verdicts bucketed into equal time slices
 * ending at `now`, so a sparkline shows passes and refusals as the swarm works. Pure.
 */
export interface CheckBucket {
  start: number;
  pass: number;
  fail: number;
}

export function checkSeries(checks: readonly { ts: number; verdict: 'pass' | 'fail' }[], now: number, buckets = 30, bucketMs = 10_000): CheckBucket[] {
  const from = now - buckets * bucketMs;
  const out: CheckBucket[] = Array.from({ length: buckets }, (_, i) => ({ start: from + i * bucketMs, pass: 0, fail: 0 }));
  for (const c of checks) {
    if (c.ts < from || c.ts > now) continue;
    const i = Math.min(buckets - 1, Math.floor((c.ts - from) / bucketMs));
    out[i][c.verdict]++;
  }
  return out;
}

/** "96%" for a rate in [0, 1], "—" before any first attempt. */
export function formatRate(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 100)}%`;
}
