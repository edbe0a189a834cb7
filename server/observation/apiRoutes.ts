/**
 * The dashboard's REST API under /api, served by the custom server itself (one process,
 * one event log handle; Next route handlers would run in separately bundled modules).
 */
import type { IncomingMessage } from 'node:http';
import { ApiRouter } from './apiRouter';
import { XrayError } from '../../lib/protocol/errors';
import { recentTextOf, type AgentState, type SwarmModel } from '../../lib/model/swarmModel';
import { sendError, sendJson } from '../http/respond';
import type { DataPlane } from '../dataPlane';
import { addTraceRoutes } from './traceRoutes';
import { addTracePartRoutes } from './tracePartRoutes';
import { TraceUsageCache } from './agentUsage';
import { addSessionRoutes, createSessionIndex } from './sessionRoutes';
import type { CommitSource } from '../commitPipeline';
import { addEmbedRoutes } from './embedRoutes';
import { addSwarmCallsRoute } from './swarmCallsRoute';
import { addAlertRoutes } from '../alerts/alertRoutes';
import type { TokenSigner } from '../auth/signedToken';
import { agentStats } from '../../lib/model/agentStats';
import { agentName } from '../../lib/protocol/relay';
import type { PriceTable } from '../../lib/cost/prices';
import { loadPriceTable } from '../cost/loadPrices';
import { type SessionBudgets, sessionKeyOf } from './sessionBudget';
import type { XrayEvent } from '../../lib/protocol/events';
import { yieldToLoop } from '../yieldToLoop';
import { addSpanApiRoutes } from '../spans/spanApiRoutes';

/** Seqs of log the agent inspector's statistics look back over, in steps of AGENT_STEP, and the events they keep at most. */
const AGENT_LOOKBACK = 200_000;
const AGENT_STEP = 25_000;
const AGENT_MAX_EVENTS = 50_000;
const AGENT_STAT_KINDS = ['call.response', 'call.error', 'call.timeout', 'span.end'] as const;


/** `sessionCommits`: the "session index" stage of the commit pipeline (xray.ts), which the session index follows. */
export async function createApiRouter(plane: DataPlane, model: SwarmModel, sessionCommits: CommitSource, signer?: TokenSigner, prices: PriceTable = loadPriceTable(), budgets?: SessionBudgets): Promise<ApiRouter> {
  // Every API read spends from its session's budget (the same one its sockets' subscribe/resync draw from).
  const admit = budgets
    ? (req: IncomingMessage, url: URL) => {
        const embed = typeof req.headers['x-xray-embed'] === 'string' ? req.headers['x-xray-embed'] : url.searchParams.get('token');
        if (!budgets.take(sessionKeyOf(req, embed))) throw new XrayError('rate_limited', `at most ${budgets.perSecond} API/subscribe requests per second per session`);
      }
    : undefined;
  const api = new ApiRouter(admit)
    // `storage` drives the dashboard's "log not writable" banner.
    .add('GET', '/api/health', async (_req, res) => sendJson(res, 200, { ok: true, head: await plane.log.head(), agents: plane.relay.agents().length, storage: plane.health.current() }))
    .add('GET', '/api/agents', (_req, res) =>
      sendJson(res, 200, { seq: model.seq, agents: [...model.agents.values()].sort((a, b) => a.name.localeCompare(b.name)).map(agentForApi) }),
    );
  const usage = new TraceUsageCache(plane.log, prices);
  api.add('GET', '/api/agents/:name', async (_req, res, _url, params) => {
    const name = agentName.safeParse(params.name);
    if (!name.success) throw new XrayError('invalid_message', 'invalid agent name');
    const agent = model.agents.get(name.data);
    if (!agent) throw new XrayError('not_found', `no agent "${name.data}" seen`);
    // Stats over the recent log (bounded lookback), read in windows of AGENT_STEP seqs with a
    // turn of the event loop between them: the agent filter has no index, so one query over
    // the whole lookback would hold the loop. Traces from the trace index, within the lookback.
    const head = await plane.log.head();
    const floor = Math.max(0, head - AGENT_LOOKBACK);
    const events: XrayEvent[] = [];
    for (let after = floor; after < head && events.length < AGENT_MAX_EVENTS; after += AGENT_STEP) {
      const page = await plane.log.read({ agent: name.data, after, upTo: Math.min(head, after + AGENT_STEP), kinds: AGENT_STAT_KINDS, limit: AGENT_MAX_EVENTS - events.length });
      for (const e of page) events.push(e);
      await yieldToLoop();
    }
    const traces = await plane.log.listTraces({ agent: name.data, after: floor, limit: 20 });
    sendJson(res, 200, { agent: agentForApi(agent), stats: agentStats(name.data, events), traces, usage: await usage.ofAgent(name.data) });
  });
  if (signer) addEmbedRoutes(api, signer);
  if (plane.alerts) addAlertRoutes(api, plane.alerts);
  addSessionRoutes(api, plane.log, await createSessionIndex(plane.log, sessionCommits, plane.writer.head()), prices);
  addSpanApiRoutes(api, plane.spans);
  addSwarmCallsRoute(api, plane.log);
  addTracePartRoutes(api, plane.log, prices);
  return addTraceRoutes(api, plane.log, prices, usage);
}

/** An agent as the API shows it: the model keeps up to twice its recent text, the API the exact tail. */
function agentForApi(a: AgentState): AgentState {
  return { ...a, recentText: recentTextOf(a) };
}
