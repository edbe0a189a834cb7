/**
 * The dashboard's REST API under /api, served by the custom server itself (one process,
 * one event log handle; Next route handlers would run in separately bundled modules).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XrayError } from '../../lib/protocol/errors';
import type { SwarmModel } from '../../lib/model/swarmModel';
import { sendError, sendJson } from '../http/respond';
import type { DataPlane } from '../dataPlane';
import { addTraceRoutes } from './traceRoutes';
import { addEmbedRoutes } from './embedRoutes';
import { addAlertRoutes } from '../alerts/alertRoutes';
import type { TokenSigner } from '../auth/signedToken';
import { agentStats } from '../../lib/model/agentStats';
import { agentName } from '../../lib/protocol/relay';

/** Seqs of log the agent inspector's statistics look back over. */
const AGENT_LOOKBACK = 200_000;

export type ApiHandler = (req: IncomingMessage, res: ServerResponse, url: URL, params: Record<string, string>) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: ApiHandler;
}

/** A tiny router: `/api/traces/:traceId` style patterns, exact matches only. */
export class ApiRouter {
  private readonly routes: Route[] = [];

  add(method: string, path: string, handler: ApiHandler): this {
    const keys: string[] = [];
    const pattern = new RegExp(`^${path.replace(/:([a-zA-Z]+)/g, (_, k: string) => (keys.push(k), '([^/]+)'))}$`);
    this.routes.push({ method, pattern, keys, handler });
    return this;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== req.method) continue;
      const params = Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])]));
      try {
        await r.handler(req, res, url, params);
      } catch (err) {
        sendError(res, err);
      }
      return;
    }
    sendError(res, new XrayError(pathMatched ? 'method_not_allowed' : 'not_found', `${req.method} ${url.pathname} is not an API endpoint`));
  }
}

export function createApiRouter(plane: DataPlane, model: SwarmModel, signer?: TokenSigner): ApiRouter {
  const api = new ApiRouter()
    .add('GET', '/api/health', (_req, res) => sendJson(res, 200, { ok: true, head: plane.log.head(), agents: plane.relay.agents().length }))
    .add('GET', '/api/agents', (_req, res) =>
      sendJson(res, 200, { seq: model.seq, agents: [...model.agents.values()].sort((a, b) => a.name.localeCompare(b.name)) }),
    );
  api.add('GET', '/api/agents/:name', (_req, res, _url, params) => {
    const name = agentName.safeParse(params.name);
    if (!name.success) throw new XrayError('invalid_message', 'invalid agent name');
    const agent = model.agents.get(name.data);
    if (!agent) throw new XrayError('not_found', `no agent "${name.data}" seen`);
    // Stats over the recent log (bounded lookback), traces from the trace index.
    const head = plane.log.head();
    const events = plane.log.read({ agent: name.data, after: Math.max(0, head - AGENT_LOOKBACK), kinds: ['call.response', 'call.error', 'call.timeout', 'span.end'], limit: 50_000 });
    sendJson(res, 200, { agent, stats: agentStats(name.data, events), traces: plane.log.listTraces({ agent: name.data, limit: 20 }) });
  });
  if (signer) addEmbedRoutes(api, signer);
  if (plane.alerts) addAlertRoutes(api, plane.alerts);
  return addTraceRoutes(api, plane.log);
}
