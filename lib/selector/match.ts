/**
 * Evaluates a parsed selector against spans. Pure: the caller supplies the span and, for
 * descendant selectors, a way to find a span's parent. The server's SQL prefilter must
 * select a superset of what this accepts; this function is the final judge everywhere
 * (query, watch, gates), so the three never disagree.
 *
 * Comparison rules (documented in the README):
 * - a number value matches a number attribute, or a string attribute that is a number ("0");
 * - a string value matches the attribute's text form (`=0` and `="0"` both match 0);
 * - a boolean matches true/false or "true"/"false";
 * - `< <= > >=` compare numbers numerically, strings lexicographically;
 * - a missing attribute satisfies only `!=`.
 */
import type { Attributes } from '../protocol/events';
import { isPseudo, type Compound, type Condition, type Selector, type SelectorList, type SelectorValue } from './parse';
import { assertNever } from '../assertNever';

export type SpanStatus = 'unset' | 'ok' | 'error';

/** A span as the index and the API expose it. Times in ms since epoch. */
export interface SpanRecord {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  agent: string;
  status: SpanStatus;
  /** Where the span came from: `relay` (a call through the relay), `sdk`, `otlp`, `gate`. */
  kind: string;
  start: number;
  end: number | null;
  attributes: Attributes;
}

type Scalar = string | number | boolean | null | undefined;

function fieldOf(span: SpanRecord, key: string): Scalar {
  if (!isPseudo(key)) return Object.hasOwn(span.attributes, key) ? span.attributes[key] : undefined;
  if (key === 'duration') return span.end === null ? undefined : span.end - span.start;
  return span[key];
}

function asNumber(a: Scalar): number | undefined {
  if (typeof a === 'number') return a;
  if (typeof a === 'string' && a.trim() !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(a.trim())) return Number(a);
  return undefined;
}

function equals(a: Scalar, v: SelectorValue): boolean {
  if (a === undefined || a === null) return false;
  if (typeof v === 'number') return asNumber(a) === v;
  if (typeof v === 'boolean') return a === v || a === String(v);
  return String(a) === v;
}

export function conditionHolds(a: Scalar, c: Pick<Condition, 'op' | 'value'>): boolean {
  const { op, value } = c;
  if (op === '!=') return !equals(a, value);
  if (a === undefined || a === null) return false;
  switch (op) {
    case '=':
      return equals(a, value);
    case 'contains':
      return String(a).includes(String(value));
    case '<':
    case '<=':
    case '>':
    case '>=': {
      let x: number | string;
      let y: number | string;
      if (typeof value === 'number') {
        const n = asNumber(a);
        if (n === undefined) return false;
        x = n;
        y = value;
      } else if (typeof value === 'string') {
        x = String(a);
        y = value;
      } else return false;
      return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
    }
    default:
      return assertNever(op, 'operator');
  }
}

export function matchesCompound(span: SpanRecord, compound: Compound): boolean {
  for (const c of compound.conditions) if (!conditionHolds(fieldOf(span, c.key), c)) return false;
  return true;
}

/** Walks up at most this many ancestors: a cyclic or absurdly deep parent chain stays cheap. */
export const MAX_ANCESTOR_WALK = 64;

export type ParentLookup = (traceId: string, spanId: string) => SpanRecord | undefined;

/**
 * Descendant matching: the last compound must match `span`; earlier compounds must match
 * ancestors in order (nearest-first greedy walk, which is exact for a chain of compounds).
 */
export function matchesSelector(span: SpanRecord, selector: Selector, parentOf: ParentLookup): boolean {
  const path = selector.path;
  if (!matchesCompound(span, path[path.length - 1])) return false;
  let need = path.length - 2;
  let current = span;
  for (let steps = 0; need >= 0 && steps < MAX_ANCESTOR_WALK; steps++) {
    if (!current.parent_span_id) return false;
    const parent = parentOf(current.trace_id, current.parent_span_id);
    if (!parent) return false;
    if (matchesCompound(parent, path[need])) need--;
    current = parent;
  }
  return need < 0;
}

export function matches(span: SpanRecord, list: SelectorList, parentOf: ParentLookup = () => undefined): boolean {
  for (const alt of list.alternatives) if (matchesSelector(span, alt, parentOf)) return true;
  return false;
}
