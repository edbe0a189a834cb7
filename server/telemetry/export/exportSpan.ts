/**
 * The span shape X-Ray exports, and its OTLP/HTTP JSON encoding (ExportTraceServiceRequest):
 * one resource per agent (`service.name` = the agent), ids as hex, times as nanosecond strings.
 */
import { createHash } from 'node:crypto';
import type { Attributes } from '../../../lib/protocol/events';
import { isSpanId } from '../../../lib/protocol/ids';
import { AGENT_SOURCE_ATTRIBUTE } from '../../../lib/telemetry/conventions';

export interface ExportSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  startMs: number;
  endMs: number;
  agent: string;
  attributes: Attributes;
  status: 'ok' | 'error';
  error: string | null;
}

/** Node ids that are not span ids (token streams without a span) get a stable derived one. */
export function exportSpanId(id: string): string {
  return isSpanId(id) ? id : createHash('sha256').update(id).digest('hex').slice(0, 16);
}

const SCOPE = { name: 'swarm-xray', version: '0.1.0' };
const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

function anyValue(v: string | number | boolean | null): Record<string, unknown> {
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { stringValue: v ?? '' };
}

function encodeSpan(s: ExportSpan): Record<string, unknown> {
  const attributes = Object.entries(s.attributes)
    // Our own bookkeeping is not the receiver's business.
    .filter(([k, v]) => k !== AGENT_SOURCE_ATTRIBUTE && v !== null)
    .map(([key, value]) => ({ key, value: anyValue(value) }));
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: nanos(s.startMs),
    endTimeUnixNano: nanos(Math.max(s.startMs, s.endMs)),
    attributes,
    status: s.status === 'error' ? { code: 2, message: s.error ?? 'error' } : { code: 1 },
  };
}

export function encodeOtlpJson(spans: readonly ExportSpan[]): { resourceSpans: unknown[] } {
  const byAgent = new Map<string, ExportSpan[]>();
  for (const s of spans) {
    let list = byAgent.get(s.agent);
    if (!list) byAgent.set(s.agent, (list = []));
    list.push(s);
  }
  return {
    resourceSpans: [...byAgent].map(([agent, list]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: agent } }] },
      scopeSpans: [{ scope: SCOPE, spans: list.map(encodeSpan) }],
    })),
  };
}
