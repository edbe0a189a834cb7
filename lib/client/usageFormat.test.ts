import { describe, expect, it } from 'vitest';
import { formatCost, formatTokens, formatUsage } from './usageFormat';

describe('usage formatting', () => {
  it('[V5] tokens, cost and a usage line', () => {
    expect(formatTokens(950)).toBe('950');
    expect(formatTokens(12_345)).toBe('12k');
    expect(formatTokens(2_500_000)).toBe('2.5M');
    expect(formatCost(null)).toBe('—');
    expect(formatCost(0.00058)).toBe('$0.00058');
    expect(formatCost(0.42)).toBe('$0.420');
    expect(formatCost(12.5)).toBe('$12.50');
    expect(formatUsage({ input: 1200, output: 40, cacheRead: 100, reasoning: 0, cost: 0.01, unpriced: 1 })).toBe('1,200 in · 40 out · 100 cached · $0.010 (+1 unpriced)');
  });
});
