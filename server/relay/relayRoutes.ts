/**
 * The relay's own REST routes, keyed "METHOD /path": each adapts one HTTP request to one relay
 * operation (the same ones a WS agent reaches through `handleMessage`). Bodies are read
 * size-limited and schema-validated here, at the edge; the caller is the REST principal, never
 * a name the body claims.
 */
import type { IncomingMessage } from 'node:http';
import { XrayError } from '../../lib/protocol/errors';
import { parseTraceparent } from '../../lib/protocol/ids';
import { LIMITS } from '../../lib/protocol/limits';
import { restBroadcastBody, restCallBody, topicName } from '../../lib/protocol/relay';
import { readJson, sendError, sendJson } from '../http/respond';
import type { RestRoute } from '../http/restRoute';
import { processFaults } from '../processFaults';
import { bearerOf, senderScope } from './principal';
import type { Relay } from './relay';
import type { SseHub } from './sseHub';

const addressOf = (req: IncomingMessage) => req.socket.remoteAddress ?? '?';

export function relayRoutes(relay: Relay, sse: SseHub): Record<string, RestRoute> {
  return {
    // `process`: the relay-only process serves no /metrics, so its fault counts are here too.
    'GET /healthz': (_req, res) => sendJson(res, 200, { ok: true, ...relay.storageStatus(), process: { unhandled_rejections: processFaults.unhandledRejections } }),
    'GET /v1/agents': (_req, res) => sendJson(res, 200, { agents: relay.agents() }),
    'POST /v1/call': async (req, res) => {
      const body = await readJson(req, restCallBody, LIMITS.httpBodyBytes);
      const parent = parseTraceparent(req.headers.traceparent as string | undefined);
      const traceId = body.trace_id ?? parent?.traceId;
      const parentSpanId = parent && parent.traceId === traceId ? parent.spanId : undefined;
      try {
        // The caller is the REST principal; a `from` in the body is a claim, kept as from_unverified.
        const result = await relay.call('rest', { ...body, trace_id: traceId, parent_span_id: parentSpanId, from_unverified: body.from }, 'rest', addressOf(req));
        sendJson(res, 200, result, { traceparent: `00-${result.trace_id}-${result.span_id}-01` });
      } catch (err) {
        sendError(res, err);
      }
    },
    'POST /v1/broadcast': async (req, res) => {
      const body = await readJson(req, restBroadcastBody, LIMITS.httpBodyBytes);
      // Stored under the REST principal, never under the name the body claims: a `from` is kept
      // as data.from_unverified. Ids are scoped to that principal (G3).
      const scope = senderScope(relay.principalOf(bearerOf(req)), 'rest', 'rest');
      const r = await relay.broadcast('rest', body.topic, body.payload, body.id, body.trace_id, { scope, fromUnverified: body.from });
      sendJson(res, 200, r);
    },
    'GET /v1/subscribe': async (req, res, url) => {
      const topic = topicName.safeParse(url.searchParams.get('topic'));
      if (!topic.success) throw new XrayError('invalid_message', 'topic query parameter is required (letters, digits, . _ : @ / + -)');
      const raw = (req.headers['last-event-id'] as string | undefined) ?? url.searchParams.get('after') ?? '';
      const last = /^\d{1,15}$/.test(raw) ? Number(raw) : relay.head();
      // A resume point retention has deleted past: the stream would silently skip messages, so say so.
      const floor = await relay.oldestResumable();
      if (last < floor) throw new XrayError('expired', `messages after ${last} were deleted by retention; the oldest resumable position is ${floor}`, { oldest_seq: floor });
      sse.open(res, topic.data, last, addressOf(req)); // clamps a cursor beyond the head; refuses past the address's share
    },
  };
}
