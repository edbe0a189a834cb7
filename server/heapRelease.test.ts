import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideRelease, type HeapReleaseSettings } from './heapRelease';

const MB = 2 ** 20;
const settings: HeapReleaseSettings = { everyMs: 5000, quietBelow: 0.25, growthBytes: 64 * MB, minGapMs: 30_000 };

/** The committed heap of a child process at its burst's peak and after `quietMs` of quiet. */
function burstThenQuiet(growthMb: number, quietMs: number): { peakMb: number; quietMb: number; releases: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'testing/heapQuiet.ts'), String(growthMb), String(quietMs)], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('heap release when quiet [G5]', () => {
  it('[G5] releases only when the loop was quiet, the heap grew by the threshold, and the last release is far enough back', () => {
    const start = { baseline: 100 * MB, lastReleaseAt: 0 };
    const at = 60_000;
    expect(decideRelease(start, { utilization: 0.1, heapTotal: 170 * MB, at }, settings).release).toBe(true);
    expect(decideRelease(start, { utilization: 0.6, heapTotal: 170 * MB, at }, settings).release).toBe(false); // busy: V8's own pacing
    expect(decideRelease(start, { utilization: 0.1, heapTotal: 150 * MB, at }, settings).release).toBe(false); // not grown enough
    expect(decideRelease({ ...start, lastReleaseAt: at - 10_000 }, { utilization: 0.1, heapTotal: 170 * MB, at }, settings).release).toBe(false); // too soon
    expect(decideRelease(start, { utilization: 0.1, heapTotal: 170 * MB, at }, settings).state.lastReleaseAt).toBe(at);
  });

  it('[G5] growth is measured from the lowest heap since the last release: V8 shrinking by itself moves the baseline down', () => {
    let state = { baseline: 150 * MB, lastReleaseAt: 0 };
    state = decideRelease(state, { utilization: 0.9, heapTotal: 90 * MB, at: 40_000 }, settings).state;
    expect(state.baseline).toBe(90 * MB);
    expect(decideRelease(state, { utilization: 0.1, heapTotal: 160 * MB, at: 45_000 }, settings).release).toBe(true);
  });

  it('[G5] a process gone quiet after a burst gives its heap back; without the releaser it keeps it', { timeout: 120_000 }, () => {
    // Both children churn the same burst, then trickle small allocations for 3 s. V8's own
    // memory reducer waits longer than that, so the control keeps its grown heap.
    const kept = burstThenQuiet(0, 3000);
    const released = burstThenQuiet(16, 3000);
    expect(kept.releases).toBe(0);
    expect(released.releases).toBeGreaterThanOrEqual(1);
    expect(kept.quietMb).toBeGreaterThan(kept.peakMb * 0.6);
    expect(released.quietMb).toBeLessThan(kept.quietMb * 0.5);
  });
});
