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
import { buildTrace } from '../../lib/trace/buildTrace';
import { sendJson } from '../http/respond';
import type { EventLog } from '../store/eventLog';
import type { CommitSource } from '../commitPipeline';
import type { ApiRouter } from './apiRouter';

export const sessionListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().positive().optional(),
  q: z.string().max(200).optional(),
});

/** Seqs of log read at start-up to prime the index (the same lookback as the agent inspector). */
const PRIME_LOOKBACK = 200_000;
/** The most traces one session answer reads and rebuilds (the newest). */
export const MAX_SESSION_TRACES = 100;
const MAX_TRACE_EVENTS = 200_000;
const PRIME_KINDS = ['call.request', 'call.response', 'call.error', 'call.timeout', 'span.start', 'span.end'] as const;

/** Primes the index from the log, then follows `commits` (the "session index" commit stage) from the same synchronous run: no commit falls between. */
export function createSessionIndex(log: EventLog, commits: CommitSource): SessionIndex {
  const index = new SessionIndex();
  const head = log.head();
  let after = Math.max(0, head - PRIME_LOOKBACK);
  // Paged so priming a big log never holds more than one page of events.
  try {
    while (after < head) {
      const page = log.read({ after, upTo: head, kinds: PRIME_KINDS, limit: 10_000 });
      if (!page.length) break;
      index.apply(page);
      after = page[page.length - 1].seq;
    }
  } catch (err) {
    // A damaged page must not keep the dashboard down: the store has marked itself corrupt
    // (and says so in /metrics and the banner); sessions carry on from live events.
    console.error(`[sessions] could not prime the session index from the log: ${(err as Error).message}`);
  }
  commits.onCommit((events) => index.apply(events));
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
    .add('GET', '/api/sessions/:sessionId', (_req, res, _url, params) => {
      const id = sessionId.safeParse(params.sessionId);
      if (!id.success) throw new XrayError('invalid_message', describeZodError(id.error));
      const session = index.get(id.data);
      if (!session) throw new XrayError('not_found', `no session "${id.data}" recorded`);
      const refs = [...session.traces.values()].sort((a, b) => b.last_ts - a.last_ts);
      const trees = refs.slice(0, MAX_SESSION_TRACES).flatMap((ref) => {
        const events = log.read({ traceId: ref.trace_id, limit: MAX_TRACE_EVENTS });
        return events.length ? [buildTrace(ref.trace_id, events, { prices })] : [];
      });
      sendJson(res, 200, rollUpSession(id.data, trees, Math.max(0, refs.length - MAX_SESSION_TRACES)));
    });
}
