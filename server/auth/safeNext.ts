/**
 * The `next` a login sends the browser back to: a path on this origin, or `/`.
 *
 * Browsers strip tabs and newlines from URLs and treat `\` like `/`, so `/\t/evil.example`
 * and `/\evil.example` become `//evil.example` — another site. A control character in a
 * Location header makes Node throw (a 500). So: the raw value must start with exactly one
 * `/`, contain no control characters, whitespace or backslashes, and neither the raw nor the
 * percent-decoded value may start with `//` or `/\` or hold a control character; the result
 * is re-serialized by the URL parser (ASCII only) and must still be on this origin.
 */
const MAX_NEXT = 2000;
const BASE = 'http://next.invalid';
/** C0 controls, space, DEL, C1 controls, and the Unicode line/paragraph separators. */
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f-\u009f\u2028\u2029]/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Percent-decodes once; null when the escapes are malformed. */
function decoded(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

export function safeNext(next: string | null | undefined): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > MAX_NEXT) return '/';
  if (CONTROL_OR_SPACE.test(next) || next.includes('\\')) return '/';
  if (next[0] !== '/' || next.startsWith('//')) return '/';
  const plain = decoded(next);
  if (plain === null || CONTROL.test(plain)) return '/';
  const path = plain.split(/[?#]/, 1)[0];
  // Whitespace is allowed in a decoded query (a search for "a b"), never in the path.
  if (CONTROL_OR_SPACE.test(path) || path.startsWith('//') || path.startsWith('/\\') || path.includes('\\')) return '/';
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return '/';
  }
  if (url.origin !== BASE) return '/';
  const out = url.pathname + url.search + url.hash;
  return out.startsWith('/') && !out.startsWith('//') ? out : '/';
}
