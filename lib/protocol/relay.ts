/**
 * The relay's wire protocol: every message an agent may send (`AgentToRelay`) and every
 * message the relay sends back (`RelayToAgent`), as zod schemas and inferred discriminated
 * unions. Seed-compatible: `register`, `inbound_call`, `call_response` are exactly the seed's.
 */
import { z } from 'zod';
import type { ErrorCode } from './errors';
import type { Attributes } from './events';
import { isSpanId, isTraceId } from './ids';
import { LIMITS } from './limits';

export const agentName = z
  .string()
  .min(1)
  .max(LIMITS.nameChars)
  .regex(/^[A-Za-z0-9._:@/+-]+$/, 'names use letters, digits and . _ : @ / + -');
export const topicName = agentName;
export const traceId = z.string().refine(isTraceId, 'trace_id must be 32 lowercase hex, not all zeros');
export const spanId = z.string().refine(isSpanId, 'span_id must be 16 lowercase hex, not all zeros');

/** A span as queries, watches and gates return it. Times are ms since epoch. */
export interface WireSpan {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  agent: string;
  status: 'unset' | 'ok' | 'error';
  /** Where it came from: relay | sdk | otlp | gate. */
  kind: string;
  start: number;
  end: number | null;
  attributes: Attributes;
  /** The seq that completed the span (the watch position); null while it is open. */
  seq: number | null;
}
export const eventId = z.string().min(1).max(128);
/** A conversation id grouping traces into a session (no control characters). */
export const sessionId = z.string().min(1).max(256).regex(/^[^\u0000-\u001f\u007f]+$/, 'a session id has no control characters');
export const payload = z.string().max(LIMITS.payloadChars, 'payload too large');
const sourceTime = z.number().finite().nonnegative().optional();
const attributeValue = z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]);
/**
 * Span attributes, into a null-prototype object: zod's record builds a plain `{}`, whose
 * `__proto__` setter silently swallowed that key. Any key an agent sends is kept as data.
 */
export const attributesSchema = z
  .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'attributes must be an object')
  .transform((attrs, ctx) => {
    const out = Object.create(null) as Record<string, z.infer<typeof attributeValue>>;
    for (const [k, v] of Object.entries(attrs)) {
      const value = attributeValue.safeParse(v);
      if (k.length > 256 || !value.success) {
        ctx.addIssue({ code: 'custom', path: [k.slice(0, 64)], message: k.length > 256 ? 'attribute key longer than 256 characters' : 'attribute values are strings (≤ 4096), numbers, booleans or null' });
        return z.NEVER;
      }
      out[k] = value.data;
    }
    return out;
  });
const attributes = attributesSchema.optional();

export const registerMsg = z.object({
  type: z.literal('register'),
  name: agentName,
  key: z.string().max(512).optional(),
  capabilities: z.array(z.string().max(128)).max(64).optional(),
});

export const callResponseMsg = z.object({
  type: z.literal('call_response'),
  correlation_id: z.string().min(1).max(128),
  payload: payload.optional(),
  error: z.union([z.string().max(4096), z.object({ code: z.string().max(64).optional(), message: z.string().max(4096) })]).optional(),
});

export const callMsg = z.object({
  type: z.literal('call'),
  /** The caller's own reference, echoed in `call_result`. */
  ref: z.string().min(1).max(128),
  to: agentName,
  method: z.string().min(1).max(128),
  payload,
  timeout_ms: z.number().int().positive().max(LIMITS.maxCallTimeoutMs).optional(),
  trace_id: traceId.optional(),
  /** Parent span: set it to the `span_id` of the inbound_call being handled to nest the call. */
  parent_span_id: spanId.optional(),
  /** The conversation this call belongs to: groups its trace into a session. */
  session: sessionId.optional(),
});

export const broadcastMsg = z.object({
  type: z.literal('broadcast'),
  id: eventId.optional(),
  topic: topicName,
  payload,
  trace_id: traceId.optional(),
  ack: z.boolean().optional(),
});

export const subscribeMsg = z.object({ type: z.literal('subscribe'), topic: topicName });
export const unsubscribeMsg = z.object({ type: z.literal('unsubscribe'), topic: topicName });

export const tokenFrame = z.object({
  type: z.literal('token'),
  id: eventId.optional(),
  trace_id: traceId.optional(),
  span_id: spanId.optional(),
  correlation_id: z.string().min(1).max(128).optional(),
  index: z.number().int().nonnegative().optional(),
  text: z.string().max(LIMITS.tokenTextChars),
  t: sourceTime,
  ack: z.boolean().optional(),
});

export const spanStartFrame = z.object({
  type: z.literal('span.start'),
  id: eventId.optional(),
  trace_id: traceId.optional(),
  span_id: spanId,
  parent_span_id: spanId.optional(),
  correlation_id: z.string().min(1).max(128).optional(),
  name: z.string().min(1).max(256),
  attributes,
  t: sourceTime,
  ack: z.boolean().optional(),
});

export const spanEndFrame = z.object({
  type: z.literal('span.end'),
  id: eventId.optional(),
  trace_id: traceId.optional(),
  span_id: spanId,
  status: z.enum(['ok', 'error']).default('ok'),
  error: z.string().max(4096).optional(),
  attributes,
  t: sourceTime,
  ack: z.boolean().optional(),
});

/** Frames that may travel alone or inside a `frames` batch. */
export const dataFrame = z.discriminatedUnion('type', [tokenFrame, spanStartFrame, spanEndFrame]);

export const framesMsg = z.object({
  type: z.literal('frames'),
  frames: z.array(dataFrame).min(1).max(LIMITS.framesPerBatch),
  ack: z.boolean().optional(),
});

/** Watch spans matching a selector (lib/selector); matches arrive as `span.match`. */
export const spanWatchMsg = z.object({
  type: z.literal('span.watch'),
  /** The agent's own name for this watch, echoed in every `span.match`. */
  id: z.string().min(1).max(128),
  q: z.string().max(2000),
  /** Resume after this position (a `span.match` seq); default: from now. */
  after: z.number().int().nonnegative().optional(),
});
export const spanUnwatchMsg = z.object({ type: z.literal('span.unwatch'), id: z.string().min(1).max(128) });

export const agentToRelay = z.discriminatedUnion('type', [
  registerMsg,
  callResponseMsg,
  callMsg,
  broadcastMsg,
  subscribeMsg,
  unsubscribeMsg,
  tokenFrame,
  spanStartFrame,
  spanEndFrame,
  framesMsg,
  spanWatchMsg,
  spanUnwatchMsg,
]);

export type AgentToRelay = z.infer<typeof agentToRelay>;
export type DataFrame = z.infer<typeof dataFrame>;
export type TokenFrame = z.infer<typeof tokenFrame>;
export const AGENT_MESSAGE_TYPES = agentToRelay.options.map((o) => o.shape.type.value);

export type RelayToAgent =
  | { type: 'registered'; name: string }
  | {
      type: 'inbound_call';
      correlation_id: string;
      method: string;
      payload: string;
      from: string;
      trace_id: string;
      span_id: string;
      traceparent: string;
    }
  | { type: 'call_result'; ref: string; correlation_id: string; trace_id: string; span_id: string; payload?: string; error?: { code: ErrorCode; message: string } }
  | { type: 'message'; topic: string; payload: string; seq: number; from: string }
  | { type: 'span.watching'; id: string; after: number }
  | { type: 'span.match'; id: string; seq: number; span: WireSpan }
  | { type: 'ack'; ids: string[] }
  | { type: 'nack'; ids: string[]; code: ErrorCode; reason: string }
  | { type: 'error'; code: ErrorCode; message: string; ref?: string };

/** REST bodies. */
export const restCallBody = z.object({
  to: agentName,
  method: z.string().min(1).max(128),
  payload,
  timeout_ms: z.number().int().positive().max(LIMITS.maxCallTimeoutMs).optional(),
  trace_id: traceId.optional(),
  from: agentName.optional(),
  /** The conversation this call belongs to: groups its trace into a session. */
  session: sessionId.optional(),
});
export const restBroadcastBody = z.object({
  topic: topicName,
  payload,
  id: eventId.optional(),
  trace_id: traceId.optional(),
  from: agentName.optional(),
});

export interface RestCallResult {
  payload: string;
  from: string;
  correlation_id: string;
  trace_id: string;
  span_id: string;
  duration_ms: number;
}

/** Turns a zod failure into one readable line: `frames.0.text: expected string`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
