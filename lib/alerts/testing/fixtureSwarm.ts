/** Builds committed-looking events for engine tests: a fixture swarm on a fake clock. */
import type { EventKind, EventOf, XrayEvent } from '../../protocol/events';
import { eventFactory, type EventFields } from '../../testing/events';

export class FixtureSwarm {
  private readonly events = eventFactory({ lamport: 0 });
  private corr = 0;
  now = 1_000_000;

  /** An event by `agent` at the fixture's clock. */
  event<K extends EventKind>(kind: K, agent: string, fields: EventFields<K> = {}): EventOf<K> {
    return this.events.make(kind, { agent, ts: this.now, ...fields });
  }

  connect(agent: string): XrayEvent {
    return this.event('agent.register', agent, { data: { transport: 'ws' } });
  }

  disconnect(agent: string): XrayEvent {
    return this.event('agent.disconnect', agent, { data: { reason: 'closed' } });
  }

  /** A call from `caller` to `callee`: its request and its outcome, `durationMs` apart in ts. */
  call(caller: string, callee: string, method: string, outcome: 'ok' | 'error' | 'timeout', durationMs = 10, traceId = this.traceId()): XrayEvent[] {
    const correlation_id = `c${++this.corr}`;
    const req = this.event('call.request', caller, { peer: callee, trace_id: traceId, data: { correlation_id, method, payload: '{}', timeout_ms: 30_000, via: 'ws' } });
    const data =
      outcome === 'ok'
        ? { correlation_id, payload: '{}', duration_ms: durationMs }
        : outcome === 'error'
          ? { correlation_id, code: 'boom', message: 'failed', duration_ms: durationMs }
          : { correlation_id, timeout_ms: durationMs, duration_ms: durationMs };
    const kind = outcome === 'ok' ? 'call.response' : outcome === 'error' ? 'call.error' : 'call.timeout';
    return [req, this.event(kind, callee, { peer: caller, trace_id: traceId, data }) as XrayEvent];
  }

  token(agent: string, traceId = this.traceId()): XrayEvent {
    return this.event('token', agent, { trace_id: traceId, data: { text: 'x' } });
  }

  spanEnd(agent: string, attributes: Record<string, number>, traceId = this.traceId()): XrayEvent {
    return this.event('span.end', agent, { trace_id: traceId, span_id: '1'.repeat(16), data: { status: 'ok', attributes } });
  }

  traceId(n = this.events.lastSeq): string {
    return n.toString(16).padStart(32, '0');
  }
}
