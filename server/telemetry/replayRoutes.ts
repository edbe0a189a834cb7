/**
 * `GET /v1/events?after=SEQ&trace_id=&topic=&agent=&kind=&limit=`: pages through the log so
 * a late listener catches up. `next_after` is the cursor for the following page.
 */
import { z } from 'zod';
import { XrayError } from '../../lib/protocol/errors';
import { EVENT_KINDS } from '../../lib/protocol/events';
import { LIMITS } from '../../lib/protocol/limits';
import { agentName, describeZodError, topicName, traceId } from '../../lib/protocol/relay';
import { sendJson } from '../http/respond';
import type { RestRoute } from '../relay/relayServer';
import type { EventLog } from '../store/eventLog';

export const eventsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(LIMITS.maxReadLimit).default(500),
  trace_id: traceId.optional(),
  topic: topicName.optional(),
  agent: agentName.optional(),
  kind: z.enum(EVENT_KINDS).optional(),
});

export function createReplayRoutes(log: EventLog): Record<string, RestRoute> {
  return {
    'GET /v1/events': (_req, res, url) => {
      const q = eventsQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!q.success) throw new XrayError('invalid_message', describeZodError(q.error));
      const { after, limit, trace_id, topic, agent, kind } = q.data;
      const head = log.head();
      // Below the floor some events are gone: a page from there would look complete and not be.
      const floor = log.floor();
      if (url.searchParams.has('after') && after < floor) {
        throw new XrayError('expired', `events after ${after} are older than the retention window and were deleted; resume from after=${floor}`, { oldest_seq: floor });
      }
      if (trace_id && log.isExpiredTrace(trace_id)) throw new XrayError('expired', `trace ${trace_id} is older than the retention window and was deleted`);
      const events = log.read({ after: Math.max(after, trace_id ? 0 : floor), limit, traceId: trace_id, topic, agent, kinds: kind ? [kind] : undefined });
      const last = events.at(-1)?.seq;
      // A cursor beyond the head is clamped: following next_after must not skip what comes next.
      sendJson(res, 200, { events, next_after: last ?? Math.min(after, head), head, more: events.length === limit });
    },
  };
}
