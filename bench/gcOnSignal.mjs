/**
 * Preloaded (`--import`) into the server process the benchmark spawns, together with
 * `--expose-gc`: on SIGUSR2 it forces a full garbage collection and prints one line
 * `[gc] {"heapUsed":…,"rss":…}`. Heap figures read this way count live objects only, not
 * garbage V8 has not collected yet (issue 18: "heap after global.gc()"). The production
 * server never loads this file. Plain JavaScript: the benchmarked server is the production
 * bundle (dist/server.mjs), started without the tsx loader.
 */
import { getHeapSpaceStatistics, getHeapStatistics, writeHeapSnapshot } from 'node:v8';

process.on('SIGUSR2', () => {
  const gc = globalThis.gc;
  // Twice: the first pass may only free what a finalizer or weak reference then releases.
  gc?.();
  gc?.();
  // Profiling aid: with XRAY_BENCH_HEAP_SNAPSHOT=<file> each sample also overwrites that heap snapshot.
  if (process.env.XRAY_BENCH_HEAP_SNAPSHOT) writeHeapSnapshot(process.env.XRAY_BENCH_HEAP_SNAPSHOT);
  const m = process.memoryUsage();
  process.stdout.write(`[gc] ${JSON.stringify({ gc: !!gc, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss, v8: getHeapStatistics(), spaces: Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, [s.space_size, s.space_used_size]])) })}\n`);
});
