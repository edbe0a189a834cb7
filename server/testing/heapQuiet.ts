/**
 * Child process for heapRelease.test.ts: grows the heap with a burst of objects that live long
 * enough to reach the old generation, drops them, then stays quiet for `quietMs` with a light
 * trickle of allocations (as a lightly loaded server makes), and prints the committed
 * heap at the burst's peak and at the end of the quiet. `growthMb` 0 runs without a releaser.
 */
import v8 from 'node:v8';
import { heapReleases, HeapReleaser } from '../heapRelease';

const [growthMb, quietMs] = process.argv.slice(2).map(Number);
const releaser = growthMb > 0 ? new HeapReleaser({ everyMs: 200, quietBelow: 0.25, busyAbove: 0.5, maxMsPerGrowth: 60_000, growthBytes: growthMb * 2 ** 20 }) : null;

let ring: unknown[] | null = new Array(300_000).fill(null);
let peak = 0;
for (let i = 0; i < 3_000_000; i++) {
  ring[i % ring.length] = { i, s: `v${i}`, a: [i] };
  if ((i & 8191) === 0) peak = Math.max(peak, v8.getHeapStatistics().total_heap_size);
}
ring = null;

let sink: unknown = null;
const trickle = setInterval(() => (sink = Array.from({ length: 200 }, (_, i) => ({ i }))), 10);
setTimeout(() => {
  clearInterval(trickle);
  releaser?.stop();
  const quiet = v8.getHeapStatistics().total_heap_size;
  console.log(JSON.stringify({ peakMb: peak / 2 ** 20, quietMb: quiet / 2 ** 20, releases: heapReleases.count, sink: sink !== null }));
}, quietMs);
