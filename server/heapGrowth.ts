/**
 * Bounds how much garbage V8 lets pile up in the old generation before a full GC: the server's
 * resident memory follows that heap, not the data it keeps.
 *
 * Why: with V8's own growing factor (dynamic: up to 4× what survived the last full GC when the
 * collector is slow next to the allocation rate, as under ingest, on hosts whose heap limit is
 * 2 GB or more; 1.3–2× below that), a server holding ~74 MB of live heap after logging 1M
 * events sat at 376–391 MB RSS with 100 dashboards connected, peaking at 465 MB during the
 * ingest: V8 held 924 pages of 256 KB, mostly garbage, and gives them back only lazily after a
 * full GC. Growth capped at 50%: 262 MB, peak 269 MB; 100%: 301 MB; 25%: 255 MB.
 *
 * Off by default (0), because the cap costs where the relay is tightest: in-process
 * (bench/relayCpu.ts, medians of 7) +10% event-loop time per token (30.4 → 33.5 µs) and +20%
 * CPU in all (31.2 → 37.5 µs, the collector's own threads), and during a 4 MiB OTLP export,
 * whose decoded spans are live heap until stored, more full GCs: the worst 1 s loop-delay p99
 * of the [G6] test read 53–95 ms at 50% and 59–120 ms at 100%, against 42–54 ms without it
 * (README, Benchmark). For a deployment where memory is the constraint, not ingest.
 *
 * `--heap-growing-percent` is read each time V8 sets the next GC's limit, so setting it at
 * start-up (before the heap has grown) acts like the command-line flag; Node 20 does not freeze
 * V8 flags after initialization. heapGrowth.test.ts checks that it takes effect.
 */
import v8 from 'node:v8';

/**
 * Caps the old generation's growth between full GCs at `percent`; 0 keeps V8's own factor. A
 * value given on the command line (`node --heap-growing-percent=N`) is the operator's and wins.
 * Returns whether it set the flag.
 */
export function applyHeapGrowth(percent: number, execArgv: readonly string[] = process.execArgv): boolean {
  if (percent <= 0 || execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return false;
  v8.setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
  return true;
}
