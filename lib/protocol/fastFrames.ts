/**
 * A hand-written check for the two shapes ingest sees millions of times: a single `token`
 * frame, and a `frames` batch of token frames. The zod schema in `relay.ts` stays the
 * contract: these functions accept only what it accepts and return what it returns (the table
 * test beside them proves it on valid and broken inputs), and answer `undefined` for anything
 * else — any other shape, an unknown key, a value out of range — so the caller runs the schema,
 * which also gives the coded error. Why by hand: zod's generic walk was a fifth of the
 * single-frame ingest profile; these checks are a few property reads.
 */
import { isSpanId, isTraceId } from './ids';
import { LIMITS } from './limits';
import type { AgentToRelay, TokenFrame } from './relay';

const TOKEN_KEYS = new Set(['type', 'id', 'trace_id', 'span_id', 'correlation_id', 'index', 'text', 't', 'ack']);
const FRAMES_KEYS = new Set(['type', 'frames', 'ack']);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Only own keys from `allowed`: an extra key (which zod would strip) sends the message to the schema. */
function onlyKeys(o: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const k in o) if (!allowed.has(k) || !Object.prototype.hasOwnProperty.call(o, k)) return false;
  return true;
}

const boundedString = (v: unknown, min: number, max: number) => typeof v === 'string' && v.length >= min && v.length <= max;

/** A token frame exactly as the schema would return it, or undefined. Returns the parsed object itself: JSON.parse made it fresh. */
export function fastTokenFrame(v: unknown): TokenFrame | undefined {
  if (!isPlainObject(v) || v.type !== 'token' || !onlyKeys(v, TOKEN_KEYS)) return undefined;
  if (typeof v.text !== 'string' || v.text.length > LIMITS.tokenTextChars) return undefined;
  if (v.id !== undefined && !boundedString(v.id, 1, 128)) return undefined;
  if (v.trace_id !== undefined && !(typeof v.trace_id === 'string' && isTraceId(v.trace_id))) return undefined;
  if (v.span_id !== undefined && !(typeof v.span_id === 'string' && isSpanId(v.span_id))) return undefined;
  if (v.correlation_id !== undefined && !boundedString(v.correlation_id, 1, 128)) return undefined;
  if (v.index !== undefined && !(typeof v.index === 'number' && Number.isSafeInteger(v.index) && v.index >= 0)) return undefined;
  if (v.t !== undefined && !(typeof v.t === 'number' && Number.isFinite(v.t) && v.t >= 0)) return undefined;
  if (v.ack !== undefined && typeof v.ack !== 'boolean') return undefined;
  return v as unknown as TokenFrame;
}

/** A `frames` batch of token frames only, or undefined (a batch with a span frame goes to the schema). */
export function fastTokenBatch(v: unknown): Extract<AgentToRelay, { type: 'frames' }> | undefined {
  if (!isPlainObject(v) || v.type !== 'frames' || !onlyKeys(v, FRAMES_KEYS)) return undefined;
  if (v.ack !== undefined && typeof v.ack !== 'boolean') return undefined;
  const frames = v.frames;
  if (!Array.isArray(frames) || frames.length < 1 || frames.length > LIMITS.framesPerBatch) return undefined;
  for (let i = 0; i < frames.length; i++) if (!fastTokenFrame(frames[i])) return undefined;
  return v as unknown as Extract<AgentToRelay, { type: 'frames' }>;
}

/** The message if it is one of the two hot shapes, checked by hand; undefined means: validate with the schema. */
export function fastAgentMessage(v: unknown): AgentToRelay | undefined {
  return fastTokenFrame(v) ?? fastTokenBatch(v);
}
