/**
 * `GET /api/sessions` (conversations, most recently active first) and
 * `GET /api/sessions/:id` (its traces on a timeline, with usage and cost rolled up).
 * The index is folded from committed events, primed from the recent log at start-up.
 */
import { z } from 'zod';
import type { PriceTable } from '../../lib/cost/prices';
import { XrayError } from '../../lib/protocol/errors';
import { describeZodError, sessionId } from '../../lib/protocol/relay';
import { SessionIndex } from '../../lib/sessions/sessionIndex';
import { rollUpSession } from '../../lib/sessions/sessionRollup';
import { buildTrace, type TraceTree } from '../../lib/trace/buildTrace';
import { sendJson } from '../http/respond';
import type { EventLog } from '../store/eventLog';
import { primeThenFollow } from '../store/followCommits';
import { readAll, readPages } from '../store/readPages';
import type { CommitSource } from '../commitPipeline';
import type { ApiRouter } from './apiRouter';

export const sessionListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().positive().optional(),
  q: z.string().max(200).optional(),
});

/** Seqs of log read at start-up to prime the index (the same lookback as the agent inspector). */
const PRIME_LOOKBACK = 200_000;
/** Seqs per priming read, the loop free in between: a start-up read never holds up an agent's first ack for long. */
const PRIME_SPAN = 20_000;
/** The most traces one session answer reads and rebuilds (the newest). */
export const MAX_SESSION_TRACES = 100;
const MAX_TRACE_EVENTS = 200_000;
const PRIME_KINDS = ['call.request', 'call.response', 'call.error', 'call.timeout', 'span.start', 'span.end'] as const;

/**
 * The session index, primed from the recent log up to `head` (where `commits` stands: the
 * writer's head, taken in the same synchronous run), then fed by `commits` (the "session
 * index" commit stage): every event once, in seq order.
 */
export async function createSessionIndex(log: EventLog, commits: CommitSource, head: number): Promise<SessionIndex> {
  const index = new SessionIndex();
  await primeThenFollow(
    commits,
    head,
    async (head) => {
      try {
        // Paged so priming a big log never holds more than one page of events, in seq windows so no read scans the whole lookback at once.
        for await (const page of readPages(log, { after: Math.max(0, head - PRIME_LOOKBACK), upTo: head, kinds: PRIME_KINDS }, { pageSize: 10_000, seqSpan: PRIME_SPAN })) index.apply(page);
      } catch (err) {
        // A damaged page must not keep the dashboard down: the store has marked itself corrupt
        // (and says so in /metrics and the banner); sessions carry on from live events.
        console.error(`[sessions] could not prime the session index from the log: ${(err as Error).message}`);
      }
    },
    (events) => index.apply(events),
  ).ready;
  return index;
}

export function addSessionRoutes(api: ApiRouter, log: EventLog, index: SessionIndex, prices: PriceTable | null): ApiRouter {
  return api
    .add('GET', '/api/sessions', (_req, res, url) => {
      const q = sessionListQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!q.success) throw new XrayError('invalid_message', describeZodError(q.error));
      const sessions = index.list({ limit: q.data.limit, before: q.data.before, q: q.data.q?.trim() || undefined });
      sendJson(res, 200, { sessions, next_before: sessions.length === q.data.limit ? sessions.at(-1)!.last_ts : null });
    })
    .add('GET', '/api/sessions/:sessionId', async (_req, res, _url, params) => {
      const id = sessionId.safeParse(params.sessionId);
      if (!id.success) throw new XrayError('invalid_message', describeZodError(id.error));
      const session = index.get(id.data);
      if (!session) throw new XrayError('not_found', `no session "${id.data}" recorded`);
      const refs = [...session.traces.values()].sort((a, b) => b.last_ts - a.last_ts);
      const trees: TraceTree[] = [];
      // One trace at a time, each read a page at a time.
      for (const ref of refs.slice(0, MAX_SESSION_TRACES)) {
        const events = await readAll(log, { traceId: ref.trace_id }, { max: MAX_TRACE_EVENTS });
        if (events.length) trees.push(buildTrace(ref.trace_id, events, { prices }));
      }
      sendJson(res, 200, rollUpSession(id.data, trees, Math.max(0, refs.length - MAX_SESSION_TRACES)));
    });
}
