/**
 * Model prices and what a span's usage cost. The table is data (a YAML or JSON file the
 * operator may replace, `XRAY_PRICES`), validated with zod when loaded: a bad file stops
 * start-up with a clear message rather than pricing silently wrong.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { SpanUsage } from '../telemetry/conventions';

const perMillion = z.number().nonnegative().finite();

export const priceFileSchema = z.object({
  as_of: z.union([z.string(), z.date().transform((d) => d.toISOString().slice(0, 10))]).optional(),
  currency: z.string().max(8).default('USD'),
  models: z
    .array(
      z.object({
        pattern: z.string().min(1).max(200),
        input: perMillion,
        output: perMillion,
        cached: perMillion.optional(),
        cache_write: perMillion.optional(),
      }),
    )
    .max(10_000),
});

export interface ModelPrice {
  pattern: string;
  match: RegExp;
  input: number;
  output: number;
  cached: number;
  cacheWrite: number;
}

export interface PriceTable {
  asOf: string | null;
  currency: string;
  models: ModelPrice[];
}

/** `gpt-4o*` → /^gpt-4o.*$/i: only `*` is special; everything else matches itself. */
function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
}

/** Parses a price file's text (YAML, which includes JSON). Throws with the offending field named. */
export function parsePriceTable(text: string): PriceTable {
  const parsed = priceFileSchema.safeParse(parseYaml(text));
  if (!parsed.success) throw new Error(`invalid price table: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const p = parsed.data;
  return {
    asOf: p.as_of ?? null,
    currency: p.currency,
    models: p.models.map((m) => ({ pattern: m.pattern, match: globToRegExp(m.pattern), input: m.input, output: m.output, cached: m.cached ?? m.input, cacheWrite: m.cache_write ?? m.input })),
  };
}

export function priceOf(table: PriceTable, model: string | null): ModelPrice | null {
  if (!model) return null;
  return table.models.find((m) => m.match.test(model)) ?? null;
}

/**
 * The cost of one usage record. Input tokens include those read from / written to the cache
 * (as the GenAI conventions count them), so those are priced at their own rate and the
 * rest at the input rate. Null when the model has no price.
 */
export function costOf(table: PriceTable, model: string | null, u: SpanUsage): number | null {
  const p = priceOf(table, model);
  if (!p || (u.input === null && u.output === null)) return null;
  const cacheRead = u.cacheRead ?? 0;
  const cacheWrite = u.cacheWrite ?? 0;
  const plainInput = Math.max(0, (u.input ?? 0) - cacheRead - cacheWrite);
  return (plainInput * p.input + cacheRead * p.cached + cacheWrite * p.cacheWrite + (u.output ?? 0) * p.output) / 1_000_000;
}
