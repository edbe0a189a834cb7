/**
 * Turning a request's target into a URL and its path segments into strings. Both can fail on
 * input a client fully controls (`GET //[x`, `/api/agents/%ZZ`): that is the client's error — a
 * 400 with a code — never an exception that escapes a handler (a 500, or a crashed process).
 */
import { XrayError } from '../../lib/protocol/errors';

/** The request target as a URL, or null when the WHATWG parser refuses it. */
export function parseRequestUrl(target: string | undefined, base: string): URL | null {
  try {
    return new URL(target ?? '/', base);
  } catch {
    return null;
  }
}

export function badUrl(detail = 'the request URL cannot be parsed'): XrayError {
  return new XrayError('bad_url', detail);
}

/** Decodes one percent-encoded path segment; malformed encoding throws `bad_url` (400). */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badUrl('malformed percent-encoding in the path');
  }
}
