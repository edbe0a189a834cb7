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
import type { RestRoute } from '../http/restRoute';
import type { EventLog } from '../store/eventLog';

export const eventsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(LIMITS.maxReadLimit).default(500),
  trace_id: traceId.optional(),
  topic: topicName.optional(),
  agent: agentName.optional(),
  kind: z.enum(EVENT_KINDS).optional(),
});

/** Seqs one unindexed (agent- or kind-only) replay page scans at most. */
export const SCAN_SEQS = 50_000;

export function createReplayRoutes(log: EventLog, scanSeqs = SCAN_SEQS): Record<string, RestRoute> {
  return {
    'GET /v1/events': async (_req, res, url) => {
      const q = eventsQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!q.success) throw new XrayError('invalid_message', describeZodError(q.error));
      const { after, limit, trace_id, topic, agent, kind } = q.data;
      const [head, floor] = await Promise.all([log.head(), log.floor()]);
      // Below the floor some events are gone: a page from there would look complete and not be.
      if (url.searchParams.has('after') && after < floor) {
        throw new XrayError('expired', `events after ${after} are older than the retention window and were deleted; resume from after=${floor}`, { oldest_seq: floor });
      }
      if (trace_id && (await log.isExpiredTrace(trace_id))) throw new XrayError('expired', `trace ${trace_id} is older than the retention window and was deleted`);
      const from = Math.max(after, trace_id ? 0 : floor);
      // Trace and topic filters walk an index: the work is proportional to the matches. An agent
      // or kind filter alone has no index and would scan the whole log for a sparse match in one
      // synchronous query; those pages cover at most SCAN_SEQS seqs (possibly empty, with
      // `more` and `next_after` moved on), so one request's work is bounded.
      const windowed = !trace_id && !topic && (agent !== undefined || kind !== undefined);
      const upTo = windowed ? Math.min(head, from + scanSeqs) : undefined;
      // Bounded by `upTo: head` too: the page and `head` in the answer describe the same moment.
      const events = await log.read({ after: from, upTo: upTo ?? head, limit, traceId: trace_id, topic, agent, kinds: kind ? [kind] : undefined });
      const last = events.at(-1)?.seq;
      const full = events.length === limit;
      // A cursor beyond the head is clamped: following next_after must not skip what comes next.
      const nextAfter = Math.min(head, full || upTo === undefined ? (last ?? from) : Math.max(from, upTo));
      sendJson(res, 200, { events, next_after: nextAfter, head, more: full || (upTo !== undefined && nextAfter < head) });
    },
  };
}
