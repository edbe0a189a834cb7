/** Short human forms of token usage and cost for the dashboard (pure). */
import type { UsageTotals } from '../trace/usageRollup';

export function formatTokens(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(n >= 10_000_000 ? 0 : 1)}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  return n.toLocaleString('en-US');
}

/** Dollars with enough digits to tell small calls apart; an em dash when nothing had a price. */
export function formatCost(cost: number | null): string {
  if (cost === null) return '—';
  if (cost === 0) return '$0';
  if (cost < 0.01) return `$${cost.toPrecision(2)}`;
  return `$${cost.toFixed(cost < 10 ? 3 : 2)}`;
}

export function formatUsage(u: Pick<UsageTotals, 'input' | 'output' | 'cacheRead' | 'reasoning' | 'cost' | 'unpriced'>): string {
  const parts = [`${formatTokens(u.input)} in`, `${formatTokens(u.output)} out`];
  if (u.cacheRead) parts.push(`${formatTokens(u.cacheRead)} cached`);
  if (u.reasoning) parts.push(`${formatTokens(u.reasoning)} reasoning`);
  parts.push(formatCost(u.cost) + (u.unpriced && u.cost !== null ? ` (+${u.unpriced} unpriced)` : ''));
  return parts.join(' · ');
}
