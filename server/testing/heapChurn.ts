/**
 * Child process for heapGrowth.test.ts: applies a heap growth setting, then churns a ring of
 * objects that live long enough to reach the old generation (as events do in the writer's and
 * fanout's windows), and prints the largest heap V8 let itself grow to.
 */
import v8 from 'node:v8';
import { applyHeapGrowth } from '../heapGrowth';

applyHeapGrowth(Number(process.argv[2]));
const ring: unknown[] = new Array(200_000).fill(null);
let largest = 0;
for (let i = 0; i < 6_000_000; i++) {
  ring[i % ring.length] = { i, s: `v${i}`, a: [i] };
  if ((i & 8191) === 0) largest = Math.max(largest, v8.getHeapStatistics().total_heap_size);
}
console.log(JSON.stringify({ largestHeapMb: largest / 2 ** 20 }));
