/** Durations in rule files: `500ms`, `30s`, `5m`, `1h`, or a bare number of seconds. */
import { z } from 'zod';

const UNIT_MS = new Map<string, number>([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
]);

export const MAX_DURATION_MS = 7 * 24 * 3_600_000;

export function parseDuration(text: string | number): number | null {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? Math.round(text * 1000) : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(text);
  if (!m) return null;
  return Math.round(Number(m[1]) * UNIT_MS.get(m[2])!);
}

/** A zod field that turns a duration into ms, bounded to [min, a week]. */
export const duration = (minMs = 0) =>
  z.union([z.string().max(32), z.number()]).transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === null || ms < minMs || ms > MAX_DURATION_MS) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like "30s", "5m", "500ms" between ${minMs} ms and 7 days` });
      return z.NEVER;
    }
    return ms;
  });

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms >= 3_600_000) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
