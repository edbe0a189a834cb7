/** Admin read-back under /api (session or Bearer admin token, like every /api route). */
import { sendJson } from '../http/respond';
import type { ApiRouter } from '../observation/apiRouter';
import { addGateApiRoutes } from '../gates/gateRoutes';
import { runSpanQuery } from './spanRoutes';
import type { SpanServices } from './spanServices';

export function addSpanApiRoutes(api: ApiRouter, spans: SpanServices): ApiRouter {
  api.add('GET', '/api/spans', async (_req, res, url) => {
    runSpanQuery(spans.index, url, true);
    await spans.feeder.settled();
    sendJson(res, 200, runSpanQuery(spans.index, url));
  });
  return addGateApiRoutes(api, spans.gates);
}
