/**
 * `GET /api/swarm/calls?since=&until=[&from=&to=]` — the calls between agents that finished
 * inside a time window, per edge with methods, failures and median latency (lib/graph/
 * callWindow). The swarm graph uses it for an edge's methods on hover and to replay the last
 * 5/15/60 minutes. Bounded: reads call events from at most the last CALLS_LOOKBACK events of
 * the log; `truncated` says the window reaches further back than that.
 */
import { z } from 'zod';
import { summarizeCalls } from '../../lib/graph/callWindow';
import { XrayError } from '../../lib/protocol/errors';
import { agentName, describeZodError } from '../../lib/protocol/relay';
import { sendJson } from '../http/respond';
import type { EventLog } from '../store/eventLog';
import { readAll } from '../store/readPages';
import type { ApiRouter } from './apiRouter';

export const CALLS_LOOKBACK = 100_000;
const MAX_WINDOW_MS = 24 * 3600_000;

export const swarmCallsQuery = z
  .object({
    since: z.coerce.number().int().nonnegative(),
    until: z.coerce.number().int().nonnegative().optional(),
    from: agentName.optional(),
    to: agentName.optional(),
  })
  .refine((q) => (q.until ?? Date.now()) >= q.since && (q.until ?? Date.now()) - q.since <= MAX_WINDOW_MS, { message: 'the window must end after it starts and span at most 24 h' });

export function addSwarmCallsRoute(api: ApiRouter, log: EventLog): ApiRouter {
  return api.add('GET', '/api/swarm/calls', async (_req, res, url) => {
    const q = swarmCallsQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!q.success) throw new XrayError('invalid_message', describeZodError(q.error));
    const until = q.data.until ?? Date.now();
    const after = Math.max(0, (await log.head()) - CALLS_LOOKBACK);
    const events = await readAll(log, { after, kinds: ['call.request', 'call.response', 'call.error', 'call.timeout'] }, { max: CALLS_LOOKBACK });
    const oldest = events.length ? events[0].ts : Infinity;
    sendJson(res, 200, { since: q.data.since, until, truncated: after > 0 && oldest > q.data.since, edges: summarizeCalls(events, { ...q.data, until }) });
  });
}
