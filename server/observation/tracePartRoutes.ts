/**
 * The trace page's split reads (see traceParts.ts):
 * - `GET /api/traces/:traceId/outline` — the tree without token text (nodes carry `textChars`);
 * - `GET /api/traces/:traceId/text?id=<node>&id=…&as_of=<seq>&max=<chars>` — those nodes' text as of a seq;
 * - `GET /api/traces/:traceId/search?q=<text>&as_of=<seq>` — nodes whose text contains `q`.
 * Query strings are validated by the schemas in lib/protocol/traceText.ts.
 */
import { XrayError } from '../../lib/protocol/errors';
import { describeZodError, traceId } from '../../lib/protocol/relay';
import { traceSearchQuery, traceTextQuery, type TraceSearchResponse, type TraceTextResponse } from '../../lib/protocol/traceText';
import type { PriceTable } from '../../lib/cost/prices';
import type { EventLog } from '../store/eventLog';
import { sendJson } from '../http/respond';
import type { ApiRouter } from './apiRouter';
import { TraceParts } from './traceParts';

function parseTraceId(raw: string): string {
  const id = traceId.safeParse(raw.toLowerCase());
  if (!id.success) throw new XrayError('invalid_message', 'a trace id is 32 hex digits');
  return id.data;
}

export function addTracePartRoutes(api: ApiRouter, log: EventLog, prices: PriceTable | null = null, parts = new TraceParts(log, prices)): ApiRouter {
  const missing = async (id: string): Promise<never> => {
    if (await log.isExpiredTrace(id)) throw new XrayError('expired', `trace ${id} is older than the retention window and was deleted`);
    throw new XrayError('not_found', `no events recorded for trace ${id}`);
  };
  /** A seq the page names, never past what is committed (texts "as of" a future seq would claim events not yet seen). */
  const asOf = async (wanted: number | undefined) => Math.min(wanted ?? Infinity, await log.head());
  return api
    .add('GET', '/api/traces/:traceId/outline', async (_req, res, _url, params) => {
      const id = parseTraceId(params.traceId);
      if (await log.isExpiredTrace(id)) parts.forget(id);
      const body = await parts.outline(id);
      if (body === null) return missing(id);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    })
    .add('GET', '/api/traces/:traceId/text', async (_req, res, url, params) => {
      const id = parseTraceId(params.traceId);
      const q = traceTextQuery.safeParse({ id: url.searchParams.getAll('id'), as_of: url.searchParams.get('as_of') ?? undefined, max: url.searchParams.get('max') ?? undefined });
      if (!q.success) throw new XrayError('invalid_message', describeZodError(q.error));
      const at = await asOf(q.data.as_of);
      const t = await parts.texts(id, at);
      if (!t) return missing(id);
      const body: TraceTextResponse = {
        as_of: at,
        texts: q.data.id.map((node) => {
          const text = t.texts.get(node) ?? '';
          return { id: node, text: text.slice(0, q.data.max), chars: text.length, truncated: text.length > q.data.max };
        }),
      };
      sendJson(res, 200, body);
    })
    .add('GET', '/api/traces/:traceId/search', async (_req, res, url, params) => {
      const id = parseTraceId(params.traceId);
      const q = traceSearchQuery.safeParse({ q: url.searchParams.get('q') ?? undefined, as_of: url.searchParams.get('as_of') ?? undefined });
      if (!q.success) throw new XrayError('invalid_message', describeZodError(q.error));
      const at = await asOf(q.data.as_of);
      const ids = await parts.search(id, at, q.data.q);
      if (!ids) return missing(id);
      sendJson(res, 200, { as_of: at, ids } satisfies TraceSearchResponse);
    });
}
