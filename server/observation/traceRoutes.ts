/** `GET /api/traces` (filtered list of recent traces) and `GET /api/traces/:traceId` (the reconstructed tree). */
import { z } from 'zod';
import { XrayError } from '../../lib/protocol/errors';
import { agentName, describeZodError, traceId } from '../../lib/protocol/relay';
import type { PriceTable } from '../../lib/cost/prices';
import { encodeOtlpJson } from '../telemetry/export/exportSpan';
import { traceToSpans } from '../telemetry/export/traceToSpans';
import type { TraceUsageCache } from './agentUsage';
import type { ServerResponse } from 'node:http';
import { traceNodeId } from '../../lib/model/keys';
import { accumulatorBytes, addTraceEvents, finishTraceSoFar, newTraceAccumulator, type TraceAccumulator, type TraceTree } from '../../lib/trace/buildTrace';
import { TraceReadCache, type TraceView } from './traceReadCache';
import { sendJson } from '../http/respond';
import type { EventLog, TraceListQuery, TraceSummaryRow } from '../store/eventLog';
import { yieldToLoop } from '../yieldToLoop';
import type { ApiRouter } from './apiRouter';

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

/** Per token: [node id, time (ms), text length] in seq order — what the replay scrubber plays back. */
const timelineView: TraceView<[string, number, number][]> = {
  name: 'timeline',
  start: () => [],
  add(tokens, page) {
    for (const e of page) if (e.kind === 'token') tokens.push([traceNodeId(e.span_id, e.agent), e.t ?? e.ts, e.data.text.length]);
  },
  finish: (tokens) => ({ tokens }),
  resumable: { stateBytes: (tokens) => tokens.length * 64 },
};

/** The reconstructed tree, folded page by page so a 100k-event trace never holds the loop in one piece. */
const treeView = (prices: PriceTable | null): TraceView<TraceAccumulator> => ({
  name: 'tree',
  start: newTraceAccumulator,
  add: (acc, page) => void addTraceEvents(acc, page),
  resumable: { stateBytes: accumulatorBytes },
  finish: (acc) => finishTraceSoFar(acc, { prices: prices ?? undefined }),
});

/** Seqs of trace activity one text-search step covers, and one request at most. */
const SEARCH_STEP_SEQS = 20_000;
const SEARCH_MAX_SEQS = 200_000;

/**
 * Text search, newest first, in bounded steps: each step searches the traces whose last
 * activity falls in a window of SEARCH_STEP_SEQS seqs, then yields the loop. A search that
 * matches nothing no longer scans the whole log in one query: after SEARCH_MAX_SEQS it
 * answers with what it found and `next_before` to continue from. When the log's text index
 * says the search is cheap (few hits), the whole log is searched in one step.
 */
export async function searchTraces(log: EventLog, q: TraceListQuery & { text: string; limit: number }, bounds = { step: SEARCH_STEP_SEQS, max: SEARCH_MAX_SEQS }) {
  const traces: TraceSummaryRow[] = [];
  let before = q.before ?? (await log.head()) + 1;
  let scanned = 0;
  // An indexed search with few hits is answered from them in one step, whatever the log's size.
  if (await log.textSearchIsBounded?.(q.text, before)) {
    const traces = await log.listTraces({ ...q, before, after: undefined, limit: q.limit });
    return { traces, next_before: traces.length === q.limit ? traces[traces.length - 1].last_seq : null };
  }
  while (traces.length < q.limit && before > 1 && scanned < bounds.max) {
    const after = Math.max(0, before - 1 - bounds.step);
    const want = q.limit - traces.length;
    const page = await log.listTraces({ ...q, before, after, limit: want });
    traces.push(...page);
    scanned += before - 1 - after;
    before = page.length === want ? page[page.length - 1].last_seq : after + 1;
    if (traces.length < q.limit) await yieldToLoop();
  }
  return { traces, next_before: before > 1 ? before : null };
}

function sendJsonText(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

export function addTraceRoutes(api: ApiRouter, log: EventLog, prices: PriceTable | null = null, usage: TraceUsageCache | null = null): ApiRouter {
  // Whole-trace reads are built in pages and cached per trace version (see traceReadCache.ts).
  const reads = new TraceReadCache(log);
  const tree = treeView(prices);
  return api
    .add('GET', '/api/traces', async (_req, res, url) => {
      const q = traceListQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!q.success) throw new XrayError('invalid_message', describeZodError(q.error));
      const { q: raw, ...rest } = q.data;
      const text = raw?.trim() || undefined;
      const found = text ? await searchTraces(log, { ...rest, text }) : null;
      const rows = found ? found.traces : await log.listTraces(rest);
      const traces = [];
      // One trace at a time: each may rebuild a trace's usage from the log.
      for (const t of rows) traces.push(usage ? { ...t, usage: (await usage.of(t)).usage } : t);
      sendJson(res, 200, { traces, next_before: found ? found.next_before : traces.length === q.data.limit ? traces.at(-1)!.last_seq : null });
    })
    .add('GET', '/api/traces/:traceId/timeline', async (_req, res, _url, params) => {
      const id = traceId.safeParse(params.traceId.toLowerCase());
      if (!id.success) throw new XrayError('invalid_message', 'a trace id is 32 hex digits');
      if (await log.isExpiredTrace(id.data)) reads.forget(id.data);
      sendJsonText(res, (await reads.get(timelineView, id.data)) ?? '{"tokens":[]}');
    })
    .add('GET', '/api/traces/:traceId', async (_req, res, url, params) => {
      const id = traceId.safeParse(params.traceId.toLowerCase());
      if (!id.success) throw new XrayError('invalid_message', 'a trace id is 32 hex digits');
      const format = traceFormat.safeParse(url.searchParams.get('format') ?? undefined);
      if (!format.success) throw new XrayError('invalid_message', 'format is json (default) or otlp');
      // Retention may have deleted the trace since a view of it was cached.
      if (await log.isExpiredTrace(id.data)) reads.forget(id.data);
      const body = await reads.get(tree, id.data);
      if (body === null) {
        if (await log.isExpiredTrace(id.data)) throw new XrayError('expired', `trace ${id.data} is older than the retention window and was deleted`);
        throw new XrayError('not_found', `no events recorded for trace ${id.data}`);
      }
      // OTLP/JSON (ExportTraceServiceRequest): import the trace into any OpenTelemetry backend.
      if (format.data === 'otlp') return sendJson(res, 200, encodeOtlpJson(traceToSpans(JSON.parse(body) as TraceTree)));
      sendJsonText(res, body);
    });
}
