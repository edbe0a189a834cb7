/**
 * What every EventLog backend agrees on about an event's content, so trace summaries and
 * text search mean the same on each (SPEC.md L4, L6).
 */
import type { EventKind } from '../../lib/protocol/events';

/**
 * The `data` fields whose values are recorded text: token text, call and broadcast payloads,
 * method and span names, error codes and messages (plus every span attribute value).
 */
export const SEARCHABLE_FIELDS: readonly string[] = ['text', 'payload', 'method', 'name', 'error', 'code', 'message'];

const ERROR_KINDS = new Set<string>(['call.error', 'call.timeout']);

/** Whether an event counts as an error in its trace's summary: a failed call or a span that ended in error. */
export function isErrorEvent(kind: EventKind, data: unknown): boolean {
  return ERROR_KINDS.has(kind) || (kind === 'span.end' && (data as { status?: unknown } | null)?.status === 'error');
}
