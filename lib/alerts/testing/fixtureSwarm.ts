/** Builds committed-looking events for engine tests: a fixture swarm on a fake clock. */
import type { XrayEvent } from '../../protocol/events';

export class FixtureSwarm {
  private seq = 0;
  private corr = 0;
  now = 1_000_000;

  private base(kind: string, agent: string, extra: Partial<XrayEvent> = {}): any {
    return { seq: ++this.seq, id: `e${this.seq}`, ts: this.now, t: null, kind, trace_id: null, span_id: null, parent_span_id: null, agent, peer: null, topic: null, lamport: 0, ...extra };
  }

  connect(agent: string): XrayEvent {
    return this.base('agent.register', agent, { data: { transport: 'ws' } } as never);
  }

  disconnect(agent: string): XrayEvent {
    return this.base('agent.disconnect', agent, { data: { reason: 'closed' } } as never);
  }

  /** A call from `caller` to `callee`: its request and its outcome, `durationMs` apart in ts. */
  call(caller: string, callee: string, method: string, outcome: 'ok' | 'error' | 'timeout', durationMs = 10, traceId = this.traceId()): XrayEvent[] {
    const correlation_id = `c${++this.corr}`;
    const req = this.base('call.request', caller, { peer: callee, trace_id: traceId, data: { correlation_id, method, payload: '{}', timeout_ms: 30_000, via: 'ws' } } as never);
    const data =
      outcome === 'ok'
        ? { correlation_id, payload: '{}', duration_ms: durationMs }
        : outcome === 'error'
          ? { correlation_id, code: 'boom', message: 'failed', duration_ms: durationMs }
          : { correlation_id, timeout_ms: durationMs, duration_ms: durationMs };
    const kind = outcome === 'ok' ? 'call.response' : outcome === 'error' ? 'call.error' : 'call.timeout';
    return [req, this.base(kind, callee, { peer: caller, trace_id: traceId, data } as never)];
  }

  token(agent: string, traceId = this.traceId()): XrayEvent {
    return this.base('token', agent, { trace_id: traceId, data: { text: 'x' } } as never);
  }

  spanEnd(agent: string, attributes: Record<string, number>, traceId = this.traceId()): XrayEvent {
    return this.base('span.end', agent, { trace_id: traceId, span_id: '1'.repeat(16), data: { status: 'ok', attributes } } as never);
  }

  traceId(n = this.seq): string {
    return n.toString(16).padStart(32, '0');
  }
}
