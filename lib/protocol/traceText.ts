/**
 * Wire shapes of the trace page's on-demand reads: `GET /api/traces/:id/text` (the text of a
 * few nodes as of a seq) and `GET /api/traces/:id/search` (which nodes' text contains a
 * string). Both are bounded: a handful of node ids per request, a cap on the characters one
 * answer carries, a short query.
 */
import { z } from 'zod';
import { agentName, spanId } from './relay';

/** Node ids one text request names at most. */
export const TEXT_IDS_MAX = 32;
/** Characters of one node's text an answer carries by default, and at most (`max=`). */
export const TEXT_CHARS_DEFAULT = 200_000;
export const TEXT_CHARS_MAX = 2_000_000;

/** A waterfall node: a span id, or `stream:<agent>` for tokens sent outside any span. */
export const traceNodeIdSchema = z.union([spanId, z.string().startsWith('stream:').pipe(z.string().transform((s) => s.slice(7)).pipe(agentName)).transform((a) => `stream:${a}`)]);

const seq = z.coerce.number().int().nonnegative();

export const traceTextQuery = z.object({
  id: z.array(traceNodeIdSchema).min(1).max(TEXT_IDS_MAX),
  /** Text as of this seq (the page's live-stream origin). Default: the trace as it stands. */
  as_of: seq.optional(),
  max: z.coerce.number().int().min(1).max(TEXT_CHARS_MAX).default(TEXT_CHARS_DEFAULT),
});

export const traceSearchQuery = z.object({
  q: z.string().min(1).max(200).regex(/^[^\u0000-\u001f\u007f]*$/, 'q must not contain control characters'),
  as_of: seq.optional(),
});

export interface TraceTextItem {
  id: string;
  /** The first `max` characters (all of it unless `truncated`). */
  text: string;
  /** Characters the node's text has in all. */
  chars: number;
  truncated: boolean;
}

/** `GET /api/traces/:id/text`. */
export interface TraceTextResponse {
  /** The seq the texts are exact as of. */
  as_of: number;
  texts: TraceTextItem[];
}

/** `GET /api/traces/:id/search`: node ids in waterfall order. */
export interface TraceSearchResponse {
  as_of: number;
  ids: string[];
}
