/**
 * Usage, cost and time-to-first-token of a node, shown only when the trace model carries
 * them: every numeric usage field (input, output, cache, reasoning…) and any top-level
 * cost/TTFT number the model provides. Nothing is estimated here.
 */
import type { TraceNode } from './buildTrace';
import { formatDuration } from './timeAxis';

export interface NodeFigure {
  label: string;
  value: string;
}

/** The figures a node actually has, in a stable order. */
export function usageFigures(node: TraceNode): NodeFigure[] {
  const out: NodeFigure[] = [];
  const usage = new Map(Object.entries((node.usage ?? {}) as Record<string, unknown>));
  for (const [k, v] of usage) if (typeof v === 'number' && Number.isFinite(v)) out.push({ label: k === 'input' || k === 'output' ? `${k} tokens` : k.replace(/_/g, ' '), value: v.toLocaleString() });
  const extra = new Map(Object.entries(node as unknown as Record<string, unknown>));
  for (const [k, v] of extra) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (/^cost/i.test(k)) out.push({ label: 'cost', value: `$${v < 0.01 ? v.toPrecision(2) : v.toFixed(4)}` });
    else if (/^ttft/i.test(k) || /first_?token/i.test(k)) out.push({ label: 'time to first token', value: formatDuration(v) });
  }
  return out;
}
