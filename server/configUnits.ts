/** Human units in env vars: ages (`72h`, `30d`) and sizes (`10GB`, `512MiB`). Pure, unit-tested. */

const AGE_UNITS = new Map<string, number>([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
  ['w', 604_800_000],
]);

/** `72h` → ms. Returns null when the text is not `<number><ms|s|m|h|d|w>` or the age is not positive. */
export function parseAge(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(text);
  if (!m) return null;
  const ms = Number(m[1]) * AGE_UNITS.get(m[2].toLowerCase())!;
  return Number.isFinite(ms) && ms >= 1 ? Math.round(ms) : null;
}

const SIZE_UNITS = new Map<string, number>([
  ['b', 1],
  ['kb', 1e3],
  ['mb', 1e6],
  ['gb', 1e9],
  ['tb', 1e12],
  ['kib', 2 ** 10],
  ['mib', 2 ** 20],
  ['gib', 2 ** 30],
  ['tib', 2 ** 40],
]);

/** `10GB` → bytes (decimal units; KiB/MiB/GiB binary; a bare number is bytes). Null when malformed or not positive. */
export function parseBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return null;
  const unit = SIZE_UNITS.get((m[2] || 'b').toLowerCase());
  if (unit === undefined) return null;
  const bytes = Math.floor(Number(m[1]) * unit);
  return Number.isFinite(bytes) && bytes >= 1 ? bytes : null;
}
