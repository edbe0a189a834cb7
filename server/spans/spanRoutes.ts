/**
 * The telemetry read-back on the relay port (agent key when keys are set; the relay's
 * per-address rate limit applies like every /v1 route):
 * - `GET /v1/spans?q=&trace_id=&since=&limit=&cursor=` → `{spans, next}`
 * - `GET /v1/spans/watch?q=&after=` → SSE, one matching span per event, `id:` = its position;
 *   `Last-Event-ID` (or `after`) resumes without loss.
 * The admin API mounts the same query as `GET /api/spans` (see addSpanApiRoutes).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XrayError } from '../../lib/protocol/errors';
import { LIMITS } from '../../lib/protocol/limits';
import { describeZodError } from '../../lib/protocol/relay';
import { spanQueryParams, spanWatchParams, type SpanQueryResult, type WireSpan } from '../../lib/protocol/spans';
import { parseSelector, SelectorError, type SelectorList } from '../../lib/selector/parse';
import { sendJson } from '../http/respond';
import { startEventStream } from '../http/eventStream';
import type { AddressSlots } from '../relay/addressSlots';
import type { RestRoute } from '../http/restRoute';
import type { IndexFeeder } from './indexFeeder';
import type { SpanIndex } from './spanIndex';
import type { SpanWatch, SpanWatchHub } from './spanWatchHub';

const SSE_HIGH_WATER_BYTES = 1024 * 1024;

/** Parses a selector at the edge: a bad one is a coded 400 carrying the position. */
export function selectorOrThrow(text: string): SelectorList {
  try {
    return parseSelector(text);
  } catch (err) {
    if (err instanceof SelectorError) throw new XrayError('bad_selector', err.message, { position: err.position });
    throw err;
  }
}

function paramsOf(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (!Object.hasOwn(out, k)) out[k] = v;
  return out;
}

export function runSpanQuery(index: SpanIndex, url: URL, validateOnly: true): null;
export function runSpanQuery(index: SpanIndex, url: URL, validateOnly?: false): SpanQueryResult;
export function runSpanQuery(index: SpanIndex, url: URL, validateOnly = false): SpanQueryResult | null {
  const parsed = spanQueryParams.safeParse(paramsOf(url));
  if (!parsed.success) throw new XrayError('invalid_message', describeZodError(parsed.error));
  const p = parsed.data;
  const selector = p.q && p.q.trim() ? selectorOrThrow(p.q) : null;
  if (validateOnly) return null;
  return index.query({ selector, traceId: p.trace_id, since: p.since, limit: p.limit, cursor: p.cursor });
}

export function formatSpanEvent(seq: number, span: WireSpan): string {
  return `id: ${seq}\ndata: ${JSON.stringify(span)}\n\n`;
}

function openWatchStream(req: IncomingMessage, res: ServerResponse, url: URL, hub: SpanWatchHub, slots: AddressSlots): void {
  const parsed = spanWatchParams.safeParse(paramsOf(url));
  if (!parsed.success) throw new XrayError('invalid_message', describeZodError(parsed.error));
  const selector = selectorOrThrow(parsed.data.q);
  if (hub.sseCount >= LIMITS.spanWatchClients || hub.size >= LIMITS.spanWatchesTotal) throw new XrayError('too_many_watches', `at most ${LIMITS.spanWatchClients} span watches over SSE`);
  // Span watch streams share the relay's per-address SSE slots (G6): one peer cannot take them all.
  const address = req.socket.remoteAddress ?? '?';
  const refused = slots.acquire(address);
  if (refused === 'address') throw new XrayError('too_many_connections', `at most ${slots.perAddress} SSE streams per client address`);
  if (refused) throw new XrayError('too_many_connections', `the relay serves at most ${slots.maxTotal} SSE streams`);
  const raw = req.headers['last-event-id'];
  const after = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : parsed.data.after;
  let watch: SpanWatch;
  try {
    startEventStream(res);
    watch = hub.add(selector, {
      send: (seq, span) => res.write(formatSpanEvent(seq, span)),
      full: () => res.writableLength > SSE_HIGH_WATER_BYTES,
    }, after);
  } catch (err) {
    slots.release(address); // the slot must not outlive a stream that never opened
    throw err;
  }
  hub.sseCount++;
  const keepAlive = setInterval(() => {
    if (res.writableLength < SSE_HIGH_WATER_BYTES) res.write(': keep-alive\n\n');
  }, 15_000);
  keepAlive.unref();
  res.on('drain', () => hub.drained(watch));
  res.on('close', () => {
    clearInterval(keepAlive);
    slots.release(address);
    hub.sseCount--;
    hub.remove(watch);
  });
}

export function createSpanRoutes(index: SpanIndex, hub: SpanWatchHub, feeder: IndexFeeder, slots: AddressSlots): Record<string, RestRoute> {
  return {
    'GET /v1/spans': async (_req, res, url) => {
      // Validate first (a bad selector answers at once), then see everything acked before the request.
      runSpanQuery(index, url, true);
      await feeder.settled();
      sendJson(res, 200, runSpanQuery(index, url));
    },
    'GET /v1/spans/watch': (req, res, url) => openWatchStream(req, res, url, hub, slots),
  };
}
