/**
 * Cooperative loops for large inputs: work through an iterable in slices of at most
 * `budgetMs` of CPU, yielding the event loop (setImmediate) between slices, so one request
 * (a 4 MiB OTLP export, a 100k-event trace) never holds the loop for long. Timers, acks and
 * socket reads run between the slices.
 */
import { yieldToLoop } from '../yieldToLoop';

export async function eachInSlices<T>(items: Iterable<T>, step: (item: T) => void, budgetMs = 5): Promise<void> {
  let sliceStart = performance.now();
  let n = 0;
  for (const item of items) {
    step(item);
    // Checking the clock every item would cost more than the items; every 32 is fine-grained enough.
    if ((++n & 31) === 0 && performance.now() - sliceStart > budgetMs) {
      await yieldToLoop();
      sliceStart = performance.now();
    }
  }
}
