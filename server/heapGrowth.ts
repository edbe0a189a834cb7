/**
 * Bounds how much garbage V8 lets pile up in the old generation before a full GC: the server's
 * resident memory follows that heap, not the data it keeps.
 *
 * Why: with V8's own growing factor (dynamic, up to 4× what survived the last full GC when the
 * collector is fast), a server holding ~74 MB of live heap after logging 1M events sat at
 * 376–391 MB RSS with 100 dashboards connected, peaking at 465 MB during the ingest: V8 held
 * 924 pages of 256 KB, mostly garbage, and gave them back only lazily after a full GC. Growth
 * capped at 50%: 262 MB, peak 269 MB. The price, in-process (bench/relayCpu.ts, medians of 7):
 * +10% event-loop time per token (30.4 → 33.5 µs) and +20% CPU in all (31.2 → 37.5 µs, the
 * collector's own threads). 25% gave 255 MB for +30% CPU; 100% gave 301 MB (README, Benchmark).
 *
 * `--heap-growing-percent` is read each time V8 sets the next GC's limit, so setting it at
 * start-up (before the heap has grown) acts like the command-line flag; Node 20 does not freeze
 * V8 flags after initialization. heapGrowth.test.ts checks that it takes effect.
 */
import v8 from 'node:v8';

/** Caps the old generation's growth between full GCs at `percent`; 0 keeps V8's own factor. */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
