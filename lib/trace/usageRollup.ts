/**
 * Rolls token usage and cost up per trace, agent and model. Instrumentation repeats usage at
 * several levels (the AI SDK's `ai.generateText` span sums its `doGenerate` children), so a
 * node's usage counts only when no node below it reports usage: each model call once.
 */
import type { SpanUsage } from '../telemetry/conventions';

export interface UsageTotals {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  /** Sum of priced calls; null when no counted call had a price. */
  cost: number | null;
  /** Counted calls that had usage but no price for their model. */
  unpriced: number;
}

export const zeroUsage = (): UsageTotals => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, cost: null, unpriced: 0 });

export const hasUsage = (u: SpanUsage): boolean => u.input !== null || u.output !== null;

export function addUsage(into: UsageTotals, u: SpanUsage | UsageTotals, cost: number | null, unpriced = cost === null ? 1 : 0): void {
  into.input += u.input ?? 0;
  into.output += u.output ?? 0;
  into.cacheRead += u.cacheRead ?? 0;
  into.cacheWrite += u.cacheWrite ?? 0;
  into.reasoning += u.reasoning ?? 0;
  if (cost !== null) into.cost = (into.cost ?? 0) + cost;
  into.unpriced += unpriced;
}

interface UsageNode {
  id: string;
  parentId: string | null;
  agent: string;
  model: string | null;
  usage: SpanUsage;
  cost: number | null;
  children: string[];
}

export function rollUpUsage(
  order: readonly string[],
  nodes: ReadonlyMap<string, UsageNode>,
): { usage: UsageTotals; byAgent: (UsageTotals & { agent: string })[]; byModel: (UsageTotals & { model: string })[] } {
  const usage = zeroUsage();
  const byAgent = new Map<string, UsageTotals & { agent: string }>();
  const byModel = new Map<string, UsageTotals & { model: string }>();
  // `order` is depth-first (parents before children): walking it backwards sees children first.
  const usageBelow = new Set<string>();
  for (let i = order.length - 1; i >= 0; i--) {
    const n = nodes.get(order[i])!;
    const own = hasUsage(n.usage);
    const below = n.children.some((c) => usageBelow.has(c));
    if (own || below) usageBelow.add(n.id);
    if (!own || below) continue;
    addUsage(usage, n.usage, n.cost);
    let a = byAgent.get(n.agent);
    if (!a) byAgent.set(n.agent, (a = { agent: n.agent, ...zeroUsage() }));
    addUsage(a, n.usage, n.cost);
    const model = n.model ?? '(unknown)';
    let m = byModel.get(model);
    if (!m) byModel.set(model, (m = { model, ...zeroUsage() }));
    addUsage(m, n.usage, n.cost);
  }
  const bySize = (x: UsageTotals, y: UsageTotals) => y.input + y.output - (x.input + x.output);
  return { usage, byAgent: [...byAgent.values()].sort(bySize), byModel: [...byModel.values()].sort(bySize) };
}
