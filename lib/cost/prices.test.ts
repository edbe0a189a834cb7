import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { costOf, parsePriceTable, priceOf } from './prices';

const usage = (input: number | null, output: number | null, cacheRead: number | null = null, cacheWrite: number | null = null) => ({ input, output, cacheRead, cacheWrite, reasoning: null });

const TABLE = parsePriceTable(`
as_of: 2026-11-01
models:
  - { pattern: "gpt-4o-mini*", input: 0.15, output: 0.60, cached: 0.075 }
  - { pattern: "gpt-4o*", input: 2.5, output: 10 }
  - { pattern: "claude-*sonnet*", input: 3, output: 15, cached: 0.3, cache_write: 3.75 }
`);

describe('price table', () => {
  it('[V5] first matching pattern wins; `*` is the only wildcard; case-insensitive', () => {
    expect(priceOf(TABLE, 'gpt-4o-mini-2024-07-18')?.input).toBe(0.15);
    expect(priceOf(TABLE, 'GPT-4o')?.input).toBe(2.5);
    expect(priceOf(TABLE, 'gpt-4oX')?.input).toBe(2.5);
    expect(priceOf(TABLE, 'gpt-4')).toBeNull();
    expect(priceOf(TABLE, 'claude-3-7-sonnet-latest')?.cacheWrite).toBe(3.75);
    expect(TABLE.asOf).toBe('2026-11-01');
  });

  it('[V5] cost per million: cached input at its own rate, the rest at the input rate', () => {
    // 1M in (of which 400k cached), 100k out on gpt-4o-mini: 0.6M×0.15 + 0.4M×0.075 + 0.1M×0.60.
    expect(costOf(TABLE, 'gpt-4o-mini', usage(1_000_000, 100_000, 400_000))).toBeCloseTo(0.09 + 0.03 + 0.06, 10);
    // cached defaults to the input price when the row gives none.
    expect(costOf(TABLE, 'gpt-4o', usage(1_000_000, 0, 500_000))).toBeCloseTo(2.5, 10);
    expect(costOf(TABLE, 'claude-sonnet-4', usage(1_000_000, 0, 0, 1_000_000))).toBeCloseTo(3.75, 10);
    expect(costOf(TABLE, 'unknown-model', usage(10, 10))).toBeNull();
    expect(costOf(TABLE, 'gpt-4o', usage(null, null))).toBeNull();
  });

  it('[G6] a bad price file is refused with the field named', () => {
    expect(() => parsePriceTable('models: [{ pattern: "x", input: -1, output: 1 }]')).toThrow(/models\.0\.input/);
    expect(() => parsePriceTable('models: nope')).toThrow(/invalid price table/);
    expect(() => parsePriceTable('{"models":[{"pattern":"(a+)+$","input":1,"output":1}]}')).not.toThrow(); // regex metacharacters are literal
    expect(priceOf(parsePriceTable('{"models":[{"pattern":"(a+)+$","input":1,"output":1}]}'), 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa!')).toBeNull();
  });

  it('[V5] the shipped default table parses and is dated', () => {
    const t = parsePriceTable(fs.readFileSync(path.resolve(import.meta.dirname, '../../config/prices.yaml'), 'utf8'));
    expect(t.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(priceOf(t, 'gpt-4o-mini')).not.toBeNull();
  });
});
