/**
 * The alert conditions as Prometheus series, for teams that alert in Alertmanager instead:
 * per-agent call outcomes (error share = rate of errors / rate of calls), a call latency
 * histogram per method, per-agent last-seen age and connection, tokens per agent, and the
 * swarm's last-event age. Folded incrementally on commit like the engine. Label values are
 * outside strings: capped in number (the rest share `_other`) and escaped.
 *
 * Kept as a self-contained text block (`render()`) so it can move onto prom-client with the
 * rest of /metrics without changing what it counts.
 */
import type { XrayEvent } from '../../lib/protocol/events';
import { CallIndex } from '../../lib/alerts/callIndex';
import { LATENCY_BOUNDS_MS, latencyBucketOf } from '../../lib/alerts/slidingWindow';
import { ALERTS_AGENT } from '../../lib/alerts/engine';

/** Distinct agents and methods that get their own series; more share `_other`. */
export const MAX_LABEL_VALUES = 500;
const OTHER = '_other';

interface AgentSeries {
  ok: number;
  error: number;
  timeout: number;
  tokens: number;
  lastSeen: number;
  connected: boolean;
}

export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class ConditionMetrics {
  private readonly agents = new Map<string, AgentSeries>();
  private readonly methods = new Map<string, { counts: number[]; sum: number; count: number }>();
  private readonly calls = new CallIndex();
  /** Starts at construction: a swarm that never spoke is silent since the server started. */
  private lastEventTs: number;

  constructor(private readonly now: () => number = Date.now) {
    this.lastEventTs = now();
  }

  private agent(name: string): AgentSeries {
    let a = this.agents.get(name);
    if (!a) {
      if (this.agents.size >= MAX_LABEL_VALUES && name !== OTHER) return this.agent(OTHER);
      a = { ok: 0, error: 0, timeout: 0, tokens: 0, lastSeen: 0, connected: false };
      this.agents.set(name, a);
    }
    return a;
  }

  private method(name: string): { counts: number[]; sum: number; count: number } {
    let m = this.methods.get(name);
    if (!m) {
      if (this.methods.size >= MAX_LABEL_VALUES && name !== OTHER) return this.method(OTHER);
      m = { counts: new Array(LATENCY_BOUNDS_MS.length + 1).fill(0), sum: 0, count: 0 };
      this.methods.set(name, m);
    }
    return m;
  }

  observe(events: readonly XrayEvent[]): void {
    for (const e of events) {
      if (e.kind === 'alert.transition' || e.agent === ALERTS_AGENT) continue;
      this.lastEventTs = Math.max(this.lastEventTs, e.ts);
      const a = this.agent(e.agent);
      a.lastSeen = Math.max(a.lastSeen, e.ts);
      if (e.kind === 'agent.connect' || e.kind === 'agent.register') a.connected = true;
      else if (e.kind === 'agent.disconnect') a.connected = false;
      else if (e.kind === 'token') a.tokens++;
      const call = this.calls.outcomeOf(e);
      if (!call) continue;
      if (call.ok) a.ok++;
      else if (e.kind === 'call.timeout') a.timeout++;
      else a.error++;
      const m = this.method(call.method ?? '(unknown)');
      m.counts[latencyBucketOf(call.durationMs)]++;
      m.sum += call.durationMs;
      m.count++;
    }
  }

  render(): string {
    const now = this.now();
    const out: string[] = [];
    const head = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    head('xray_agent_calls_total', 'counter', 'Calls answered by an agent, by outcome (ok, error, timeout). Error share: rate of error+timeout over rate of all.');
    for (const [name, a] of this.agents) {
      const l = escapeLabel(name);
      out.push(`xray_agent_calls_total{agent="${l}",outcome="ok"} ${a.ok}`, `xray_agent_calls_total{agent="${l}",outcome="error"} ${a.error}`, `xray_agent_calls_total{agent="${l}",outcome="timeout"} ${a.timeout}`);
    }
    head('xray_agent_tokens_total', 'counter', 'Streamed token frames per agent.');
    for (const [name, a] of this.agents) out.push(`xray_agent_tokens_total{agent="${escapeLabel(name)}"} ${a.tokens}`);
    head('xray_agent_last_seen_age_seconds', 'gauge', 'Seconds since the agent last produced an event.');
    for (const [name, a] of this.agents) out.push(`xray_agent_last_seen_age_seconds{agent="${escapeLabel(name)}"} ${Math.max(0, (now - a.lastSeen) / 1000)}`);
    head('xray_agent_connected', 'gauge', '1 while the agent is connected, 0 after it disconnected.');
    for (const [name, a] of this.agents) out.push(`xray_agent_connected{agent="${escapeLabel(name)}"} ${a.connected ? 1 : 0}`);
    head('xray_swarm_last_event_age_seconds', 'gauge', 'Seconds since any agent produced an event (since the server started, before the first).');
    out.push(`xray_swarm_last_event_age_seconds ${Math.max(0, (now - this.lastEventTs) / 1000)}`);
    head('xray_call_duration_seconds', 'histogram', 'Call durations by method (seconds).');
    for (const [name, m] of this.methods) {
      const l = escapeLabel(name);
      let cumulative = 0;
      LATENCY_BOUNDS_MS.forEach((b, i) => {
        cumulative += m.counts[i];
        out.push(`xray_call_duration_seconds_bucket{method="${l}",le="${b / 1000}"} ${cumulative}`);
      });
      out.push(`xray_call_duration_seconds_bucket{method="${l}",le="+Inf"} ${m.count}`, `xray_call_duration_seconds_sum{method="${l}"} ${m.sum / 1000}`, `xray_call_duration_seconds_count{method="${l}"} ${m.count}`);
    }
    return out.join('\n') + '\n';
  }
}
