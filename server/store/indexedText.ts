/**
 * The text the SQLite search index holds for one event (migration 004): the atoms the exact
 * check in listTraces reads with json_tree — the searchable top-level fields and the attribute
 * values — joined by newlines, computed in JS at append because json_tree in SQL costs ~10×
 * more per event than the index write itself.
 *
 * The index must hold every substring the exact check can match (it is a necessary condition,
 * confirmed afterwards). Strings and safe integers render the same in JS as SQLite's json atom;
 * anything else whose rendering could differ (a non-integer or huge number, a lone surrogate)
 * answers SQL so the caller lets SQLite compute the text itself.
 */
import { SEARCHABLE_FIELDS } from './searchableText';

export const ASK_SQLITE = Symbol('ask SQLite');

function atom(value: unknown): string | null | typeof ASK_SQLITE {
  if (typeof value === 'string') return /\p{Cs}/u.test(value) ? ASK_SQLITE : value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : Number.isFinite(value) ? ASK_SQLITE : null;
  if (typeof value === 'boolean') return value ? '1' : '0';
  return null; // null, objects and arrays have no atom
}

/** The event's recorded text as one string, null when it has none, ASK_SQLITE when only SQLite can render it exactly. */
export function indexedText(data: unknown): string | null | typeof ASK_SQLITE {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return null;
  const record = data as Record<string, unknown>;
  let out: string | null = null;
  const add = (value: unknown): boolean => {
    const a = atom(value);
    if (a === ASK_SQLITE) return false;
    if (a !== null) out = out === null ? a : `${out}\n${a}`;
    return true;
  };
  for (const field of SEARCHABLE_FIELDS) if (Object.hasOwn(record, field) && !add(record[field])) return ASK_SQLITE;
  const attributes = Object.hasOwn(record, 'attributes') ? record.attributes : undefined;
  // An array of attributes too: json_tree lists its elements under the same path.
  if (attributes && typeof attributes === 'object') {
    for (const value of Object.values(attributes as Record<string, unknown>)) if (!add(value)) return ASK_SQLITE;
  }
  return out;
}
