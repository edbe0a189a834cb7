/** Ticks for a time axis: "nice" steps (1, 2, 5 × 10^k ms) and short labels. */

export interface Tick {
  /** Offset from the axis start, ms. */
  at: number;
  label: string;
}

export function niceStep(span: number, target: number): number {
  const raw = Math.max(span, 1e-3) / Math.max(1, target);
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

export function formatDuration(ms: number): string {
  const a = Math.abs(ms);
  if (a < 1) return `${ms === 0 ? 0 : ms.toFixed(2)} ms`;
  if (a < 1000) return `${Number(ms.toFixed(a < 10 ? 1 : 0))} ms`;
  if (a < 60_000) return `${Number((ms / 1000).toFixed(a < 10_000 ? 2 : 1))} s`;
  const m = Math.floor(a / 60_000);
  const s = Math.round((a % 60_000) / 1000);
  return `${ms < 0 ? '-' : ''}${m}m${s ? ` ${s}s` : ''}`;
}

/** Ticks from 0 to `span` (inclusive of 0), about `target` of them. */
export function timeTicks(span: number, target = 6): Tick[] {
  const step = niceStep(span, target);
  const out: Tick[] = [];
  for (let at = 0; at <= span + step * 1e-9; at += step) out.push({ at, label: formatDuration(Number(at.toPrecision(12))) });
  return out;
}
