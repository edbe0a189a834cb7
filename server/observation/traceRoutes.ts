/** `GET /api/traces` (filtered list of recent traces) and `GET /api/traces/:traceId` (the reconstructed tree). */
import { z } from 'zod';
import { XrayError } from '../../lib/protocol/errors';
import { agentName, describeZodError, traceId } from '../../lib/protocol/relay';
import { buildTrace } from '../../lib/trace/buildTrace';
import type { PriceTable } from '../../lib/cost/prices';
import { encodeOtlpJson } from '../telemetry/export/exportSpan';
import { traceToSpans } from '../telemetry/export/traceToSpans';
import type { TraceUsageCache } from './agentUsage';
import { sendJson } from '../http/respond';
import type { EventLog } from '../store/eventLog';
import type { ApiRouter } from './apiRoutes';

export const traceListQuery = z.object({
  agent: agentName.optional(),
  status: z.enum(['ok', 'error']).optional(),
  since: z.coerce.number().int().nonnegative().optional(),
  until: z.coerce.number().int().nonnegative().optional(),
  // Control characters (NUL above all: LIKE stops at it and would match everything) are refused, not searched.
  q: z.string().max(200).regex(/^[^\u0000-\u001f\u007f]*$/, 'q must not contain control characters').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().positive().optional(),
});

const traceFormat = z.enum(['json', 'otlp']).optional();

/** The most events one trace view reads: far above 1,000 spans + 100,000 tokens. */
const MAX_TRACE_EVENTS = 1_000_000;

export function addTraceRoutes(api: ApiRouter, log: EventLog, prices: PriceTable | null = null, usage: TraceUsageCache | null = null): ApiRouter {
  return api
    .add('GET', '/api/traces', (_req, res, url) => {
      const q = traceListQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!q.success) throw new XrayError('invalid_message', describeZodError(q.error));
      const { q: text, ...rest } = q.data;
      const rows = log.listTraces({ ...rest, text: text?.trim() || undefined });
      const traces = usage ? rows.map((t) => ({ ...t, usage: usage.of(t).usage })) : rows;
      sendJson(res, 200, { traces, next_before: traces.length === q.data.limit ? traces.at(-1)!.last_seq : null });
    })
    .add('GET', '/api/traces/:traceId/timeline', (_req, res, _url, params) => {
      // Per token: [node id, time (ms), text length] in seq order — what the replay scrubber plays back.
      const id = traceId.safeParse(params.traceId.toLowerCase());
      if (!id.success) throw new XrayError('invalid_message', 'a trace id is 32 hex digits');
      const tokens = log.read({ traceId: id.data, kinds: ['token'], limit: MAX_TRACE_EVENTS });
      sendJson(res, 200, { tokens: tokens.map((e) => [e.span_id ?? `stream:${e.agent}`, e.t ?? e.ts, e.kind === 'token' ? e.data.text.length : 0]) });
    })
    .add('GET', '/api/traces/:traceId', (_req, res, url, params) => {
      const id = traceId.safeParse(params.traceId.toLowerCase());
      if (!id.success) throw new XrayError('invalid_message', 'a trace id is 32 hex digits');
      const events = log.read({ traceId: id.data, limit: MAX_TRACE_EVENTS });
      if (!events.length) {
        if (log.isExpiredTrace(id.data)) throw new XrayError('expired', `trace ${id.data} is older than the retention window and was deleted`);
        throw new XrayError('not_found', `no events recorded for trace ${id.data}`);
      }
      const format = traceFormat.safeParse(url.searchParams.get('format') ?? undefined);
      if (!format.success) throw new XrayError('invalid_message', 'format is json (default) or otlp');
      const tree = buildTrace(id.data, events, { prices });
      // OTLP/JSON (ExportTraceServiceRequest): import the trace into any OpenTelemetry backend.
      sendJson(res, 200, format.data === 'otlp' ? encodeOtlpJson(traceToSpans(tree)) : tree);
    });
}
