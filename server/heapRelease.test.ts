import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { stepRelease, type HeapReleaseSettings, type ReleaseState } from './heapRelease';

const MB = 2 ** 20;
const settings: HeapReleaseSettings = { everyMs: 1000, quietBelow: 0.1, busyAbove: 0.25, growthBytes: 64 * MB, maxMsPerGrowth: 30_000 };
const idle: ReleaseState = { baseline: 100 * MB, episode: null, usedMs: 0 };

/** The committed heap of a child process at its burst's peak and after `quietMs` of quiet. */
async function burstThenQuiet(growthMb: number, quietMs: number): Promise<{ peakMb: number; quietMb: number; releases: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'testing/heapQuiet.ts'), String(growthMb), String(quietMs)], { encoding: 'utf8', timeout: 90_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

describe('heap release when quiet [G5]', () => {
  it('[G5] an episode starts only when the loop is quiet and the heap grew by the threshold', () => {
    const at = 60_000;
    expect(stepRelease(idle, { utilization: 0.05, heapTotal: 170 * MB, at }, settings)).toEqual({ state: { baseline: 100 * MB, episode: { since: at, heapAtStart: 170 * MB }, usedMs: 0 }, event: { kind: 'start' } });
    expect(stepRelease(idle, { utilization: 0.6, heapTotal: 170 * MB, at }, settings).event).toBeNull(); // busy: V8's own pacing
    expect(stepRelease(idle, { utilization: 0.05, heapTotal: 150 * MB, at }, settings).event).toBeNull(); // not grown enough
  });

  it('[G5] growth is measured from the lowest heap seen: V8 shrinking by itself moves the baseline down', () => {
    let state = stepRelease({ baseline: 150 * MB, episode: null, usedMs: 0 }, { utilization: 0.9, heapTotal: 90 * MB, at: 40_000 }, settings).state;
    expect(state.baseline).toBe(90 * MB);
    state = stepRelease(state, { utilization: 0.05, heapTotal: 160 * MB, at: 45_000 }, settings).state;
    expect(state.episode).not.toBeNull();
  });

  it('[G5] an episode survives the reducer\'s own GC work and ends when the heap is back, with what it freed', () => {
    const started = stepRelease(idle, { utilization: 0.05, heapTotal: 260 * MB, at: 0 }, settings).state;
    // The reducer's incremental marking keeps the loop ~15% busy: not "load is back".
    const marking = stepRelease(started, { utilization: 0.15, heapTotal: 250 * MB, at: 8_000 }, settings);
    expect(marking.event).toBeNull();
    expect(stepRelease(marking.state, { utilization: 0.05, heapTotal: 140 * MB, at: 9_000 }, settings)).toEqual({ state: { baseline: 100 * MB, episode: null, usedMs: 0 }, event: { kind: 'end', why: 'released', freedBytes: 120 * MB } });
  });

  it('[G5] load coming back ends the episode at once and keeps the baseline, so the next quiet moment tries again', () => {
    const started = stepRelease(idle, { utilization: 0.05, heapTotal: 260 * MB, at: 0 }, settings).state;
    const busy = stepRelease(started, { utilization: 0.8, heapTotal: 300 * MB, at: 1_000 }, settings);
    expect(busy.event).toEqual({ kind: 'end', why: 'busy', freedBytes: 0 });
    expect(busy.state.baseline).toBe(100 * MB);
    expect(stepRelease(busy.state, { utilization: 0.05, heapTotal: 300 * MB, at: 2_000 }, settings).event).toEqual({ kind: 'start' });
  });

  it('[G5] load that comes and goes cannot flip the flag forever: episodes cut short share one budget per growth, then the heap is the new floor', () => {
    let state = idle;
    let starts = 0;
    // Quiet and busy seconds alternate for two minutes with the heap held 160 MB up.
    for (let at = 0; at < 120_000; at += 1000) {
      const step = stepRelease(state, { utilization: (at / 1000) % 3 === 2 ? 0.8 : 0.05, heapTotal: 260 * MB, at }, settings);
      if (step.event?.kind === 'start') starts++;
      state = step.state;
    }
    expect(starts).toBeLessThanOrEqual(16); // 2 quiet seconds of every 3 count against the 30 s budget
    expect(state).toEqual({ baseline: 260 * MB, episode: null, usedMs: 0 });
    expect(stepRelease(state, { utilization: 0.05, heapTotal: 262 * MB, at: 121_000 }, settings).event).toBeNull();
  });

  it('[G5] an episode that frees too little gives up after maxMsPerGrowth, and the heap it left is the new floor', () => {
    const started = stepRelease(idle, { utilization: 0.05, heapTotal: 260 * MB, at: 0 }, settings).state;
    const timedOut = stepRelease(started, { utilization: 0.05, heapTotal: 240 * MB, at: 30_000 }, settings);
    expect(timedOut.event).toEqual({ kind: 'end', why: 'timeout', freedBytes: 20 * MB });
    expect(stepRelease(timedOut.state, { utilization: 0.05, heapTotal: 240 * MB, at: 31_000 }, settings).event).toBeNull();
  });

  it('[G5] a process gone quiet after a burst gives its heap back; without the releaser it keeps it', { timeout: 120_000 }, async () => {
    // Both children churn the same burst, then trickle small allocations for 14 s. V8's memory
    // reducer judges the trickle "high allocation" for longer than that (the burst's scavenges
    // stay in its average), so the control keeps its grown heap; with the releaser V8 is told
    // to optimize for memory and its reducer runs at its first 8 s tick after the burst.
    const [kept, released] = await Promise.all([burstThenQuiet(0, 14_000), burstThenQuiet(16, 14_000)]);
    expect(kept.releases).toBe(0);
    expect(released.releases).toBeGreaterThanOrEqual(1);
    expect(kept.quietMb).toBeGreaterThan(kept.peakMb * 0.6);
    expect(released.quietMb).toBeLessThan(kept.quietMb * 0.5);
  });
});
