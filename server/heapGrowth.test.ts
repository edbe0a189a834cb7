import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** The largest heap a churning child process reached with this growth setting (0: V8's own). */
function largestHeapMb(percent: number): number {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'testing/heapChurn.ts'), String(percent)], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').pop()!).largestHeapMb;
}

describe('heap growth [G5]', () => {
  it('[G5] capping the old generation\'s growth, set at run time, keeps the heap well below what V8 grows to on its own', { timeout: 120_000 }, () => {
    // Measured here: ~185 MB on V8's own factor, ~106 MB at 50%. Set at run time
    // (v8.setFlagsFromString), which Node documents as undefined behaviour: this proves it acts.
    const own = largestHeapMb(0);
    const capped = largestHeapMb(50);
    expect(capped).toBeLessThan(own * 0.85);
  });
});
