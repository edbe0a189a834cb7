/**
 * The edge of the agent protocol, as pure functions: raw wire text → one validated message
 * (lib/protocol/relay's schema), and a refused message → the reply it gets. `Relay.handleMessage`
 * is their only caller; they live apart so the shapes can be unit-tested without a relay.
 */
import { XrayError } from '../../lib/protocol/errors';
import { LIMITS } from '../../lib/protocol/limits';
import { agentToRelay, AGENT_MESSAGE_TYPES, describeZodError, type AgentToRelay, type RelayToAgent } from '../../lib/protocol/relay';
import { fastAgentMessage } from '../../lib/protocol/fastFrames';
import { checkDepth, parseJsonUnchecked } from './safeJson';

/**
 * Parses one message, cheapest checks first: binary and size before any parsing, the rate limit
 * before JSON so a flood costs no parse. `take(n)` takes n tokens from the connection's bucket;
 * a frames batch pays one per frame (the first with the message), so batching cannot bypass it.
 * Throws a coded XrayError.
 */
export function parseAgentMessage(raw: string | Buffer, isBinary: boolean, take: (n: number) => boolean): AgentToRelay {
  if (isBinary) throw new XrayError('binary_not_supported');
  // A Buffer's length is its byte size: measured before it is decoded.
  if ((typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length) > LIMITS.wsMessageBytes) throw new XrayError('too_large', `message exceeds ${LIMITS.wsMessageBytes} bytes`);
  if (!take(1)) throw new XrayError('rate_limited', 'message rate limit exceeded on this connection');
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  const json = parseJsonUnchecked(text);
  // Token frames and token batches: checked by hand, to the schema's rules (fastFrames.test.ts).
  // They hold only primitives, so their depth is bounded by shape: the scan of the text for
  // depth (a third of the parse's cost on a 50-token batch) is left to the messages zod walks.
  const fast = fastAgentMessage(json);
  if (fast) {
    if (fast.type === 'frames' && fast.frames.length > 1 && !take(fast.frames.length - 1)) throw new XrayError('rate_limited', 'frame rate limit exceeded on this connection');
    return fast;
  }
  checkDepth(text);
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && !(AGENT_MESSAGE_TYPES as string[]).includes(type)) {
    throw new XrayError('unknown_type', `unknown message type "${type.slice(0, 64)}"; expected one of ${AGENT_MESSAGE_TYPES.join(', ')}`);
  }
  const parsed = agentToRelay.safeParse(json);
  if (!parsed.success) throw new XrayError('invalid_message', describeZodError(parsed.error));
  if (parsed.data.type === 'frames' && parsed.data.frames.length > 1 && !take(parsed.data.frames.length - 1)) {
    throw new XrayError('rate_limited', 'frame rate limit exceeded on this connection');
  }
  return parsed.data;
}

/** The answer to messages whose write failed (the store refused or broke): their ids and the store's code. */
export function writeFailed(ids: string[], err: XrayError): Extract<RelayToAgent, { type: 'nack' }> {
  return { type: 'nack', ids, code: err.code ?? 'storage_failed', reason: err.message };
}

/**
 * The reply to a refused message. An acked frame that was refused gets a `nack` with its ids so
 * the sender stops retrying it; everything else an `error`, with the message's ref (or the
 * correlation id of a refused answer) so the agent can match it.
 */
export function refusal(e: XrayError, msg: AgentToRelay | undefined): RelayToAgent {
  const ids = msg && 'frames' in msg ? msg.frames.flatMap((f) => (f.id ? [f.id] : [])) : msg && 'id' in msg && msg.id ? [msg.id] : [];
  const wantsAck = msg && 'ack' in msg && msg.ack;
  if (wantsAck && ids.length) return { type: 'nack', ids, code: e.code, reason: e.message };
  const ref = msg && 'correlation_id' in msg && msg.correlation_id ? { ref: msg.correlation_id } : msg && 'ref' in msg ? { ref: msg.ref } : {};
  return { type: 'error', code: e.code, message: e.message, ...ref };
}
