/**
 * Turns committed events into finished spans for the live exporter: a relay call ends with
 * its response/error/timeout, a span frame or OTLP span with its `span.end`. Token frames
 * add a count and the time to the first one. Bounded: spans that never end are forgotten
 * oldest first (`abandoned` counts them).
 */
import type { Attributes, XrayEvent } from '../../../lib/protocol/events';
import { ownAgentOf, spanFacts } from '../../../lib/telemetry/conventions';
import { nodeAttributes } from './traceToSpans';
import type { ExportSpan } from './exportSpan';
import { assertNever } from '../../../lib/assertNever';
import { spanKey } from '../../../lib/model/keys';

interface OpenSpan {
  kind: 'call' | 'span';
  name: string;
  agent: string;
  caller: string | null;
  parent: string | null;
  start: number;
  request: string | null;
  session: string | null;
  attributes: Attributes;
}

export const LIVE_SPAN_LIMIT = 20_000;

export class LiveSpans {
  private readonly open = new Map<string, OpenSpan>();
  private readonly tokens = new Map<string, { count: number; first: number }>();
  abandoned = 0;

  /** `agentOf` resolves a span naming no agent to its ancestor's (the live model knows). */
  constructor(
    private readonly agentOf: (traceId: string, spanId: string) => string | null = () => null,
    private readonly limit = LIVE_SPAN_LIMIT,
  ) {}

  /** Folds events; returns the spans they finished. O(events), no I/O. */
  apply(events: readonly XrayEvent[]): ExportSpan[] {
    const done: ExportSpan[] = [];
    for (const e of events) {
      if (!e.trace_id || !e.span_id) continue;
      const key = spanKey(e.trace_id, e.span_id);
      const time = e.t ?? e.ts;
      switch (e.kind) {
        case 'call.request':
          this.remember(key, { kind: 'call', name: e.data.method, agent: e.peer ?? e.agent, caller: e.agent, parent: e.parent_span_id, start: time, request: e.data.payload, session: e.data.session ?? null, attributes: {} });
          break;
        case 'span.start':
          this.remember(key, { kind: 'span', name: e.data.name, agent: e.agent, caller: null, parent: e.parent_span_id, start: time, request: null, session: null, attributes: { ...e.data.attributes } });
          break;
        case 'token': {
          const t = this.tokens.get(key);
          if (t) {
            t.count++;
            t.first = Math.min(t.first, time);
          } else {
            this.tokens.set(key, { count: 1, first: time });
            while (this.tokens.size > this.limit) this.tokens.delete(this.tokens.keys().next().value as string);
          }
          break;
        }
        case 'call.response':
        case 'call.error':
        case 'call.timeout':
        case 'span.end': {
          const o = this.open.get(key);
          if (!o) break; // its start was forgotten (or belongs to another process's window)
          this.open.delete(key);
          const tok = this.tokens.get(key);
          this.tokens.delete(key);
          if (e.kind === 'span.end' && e.data.attributes) Object.assign(o.attributes, e.data.attributes);
          done.push(this.finish(e, o, time, tok));
          break;
        }
        // No span of their own to export.
        case 'agent.connect':
        case 'agent.register':
        case 'agent.disconnect':
        case 'broadcast':
        case 'subscribe':
        case 'gate.check':
        case 'alert.transition':
          break;
        default:
          assertNever(e, 'event');
      }
    }
    return done;
  }

  private remember(key: string, o: OpenSpan): void {
    this.open.set(key, o);
    while (this.open.size > this.limit) {
      this.open.delete(this.open.keys().next().value as string);
      this.abandoned++;
    }
  }

  private finish(e: XrayEvent, o: OpenSpan, end: number, tok: { count: number; first: number } | undefined): ExportSpan {
    const f = o.kind === 'span' ? spanFacts(o.attributes, o.name) : null;
    const agent = o.kind === 'span' && ownAgentOf(o.agent, o.attributes) === null ? (this.agentOf(e.trace_id!, e.span_id!) ?? o.agent) : o.agent;
    let status: ExportSpan['status'] = 'ok';
    let error: string | null = null;
    let response: string | null = f?.output ?? null;
    if (e.kind === 'call.response') response = e.data.payload;
    else if (e.kind === 'call.error') [status, error] = ['error', `${e.data.code}: ${e.data.message}`];
    else if (e.kind === 'call.timeout') [status, error] = ['error', `no answer within ${e.data.timeout_ms} ms`];
    else if (e.kind === 'span.end' && e.data.status === 'error') [status, error] = ['error', e.data.error ?? 'error'];
    const attributes = nodeAttributes({
      agent,
      kind: o.kind,
      caller: o.caller,
      name: o.name,
      tokens: tok?.count ?? 0,
      timeToFirstTokenMs: f?.timeToFirstTokenMs ?? (tok ? Math.max(0, tok.first - o.start) : null),
      model: f?.model ?? null,
      operation: f?.operation ?? null,
      usage: f?.usage ?? { input: null, output: null, cacheRead: null, cacheWrite: null, reasoning: null },
      request: o.request ?? f?.input ?? null,
      response,
      sessionId: o.session ?? f?.sessionId ?? null,
      attributes: o.attributes,
    });
    return {
      traceId: e.trace_id!,
      spanId: e.span_id!,
      parentSpanId: o.parent,
      name: o.kind === 'call' ? `${o.name} ${agent}` : o.name,
      kind: o.kind === 'call' ? 3 : 1,
      startMs: o.start,
      endMs: end,
      agent,
      attributes,
      status,
      error,
    };
  }
}
