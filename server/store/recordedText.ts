/**
 * The recorded text of an event, as the trace search matches it: the values of the
 * searchable `data` fields and of the span attributes, decoded (never JSON keys, quotes or
 * escapes). The same selection SQLite makes with json_tree in listTraces; the PostgreSQL log
 * stores it in a column at append (its JSON functions fail on a \u0000 inside a value).
 */

import { SEARCHABLE_FIELDS } from './searchableText';

/** A scalar as SQLite's json atom renders it (true → 1, false → 0); null and containers have none. PostgreSQL text cannot hold NUL: it is dropped. */
function atom(value: unknown): string | null {
  if (typeof value === 'string') return value.replace(/\u0000/g, '');
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'boolean') return value ? '1' : '0';
  return null;
}

export function recordedText(data: unknown): string[] {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return [];
  const out: string[] = [];
  const record = data as Record<string, unknown>;
  for (const field of SEARCHABLE_FIELDS) {
    if (!Object.hasOwn(record, field)) continue;
    const a = atom(record[field]);
    if (a !== null) out.push(a);
  }
  const attributes = Object.hasOwn(record, 'attributes') ? record.attributes : undefined;
  if (attributes && typeof attributes === 'object' && !Array.isArray(attributes)) {
    for (const value of Object.values(attributes as Record<string, unknown>)) {
      const a = atom(value);
      if (a !== null) out.push(a);
    }
  }
  return out;
}
