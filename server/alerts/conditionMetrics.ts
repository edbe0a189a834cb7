/**
 * The alert conditions as Prometheus series, for teams that alert in Alertmanager instead:
 * per-agent call outcomes (error share = rate of errors / rate of calls), a call latency
 * histogram per method, per-agent last-seen age and connection, tokens and spend per agent,
 * first-attempt gate verdicts, and the swarm's last-event age. Folded incrementally on commit like the engine. Label values are
 * outside strings: capped in number (the rest share `_other`); prom-client escapes them.
 * Exposed by alertMetrics.ts.
 */
import type { XrayEvent } from '../../lib/protocol/events';
import { CallIndex } from '../../lib/alerts/callIndex';
import { LATENCY_BOUNDS_MS } from '../../lib/alerts/slidingWindow';
import { MsHistogramRecorder, type MsHistogram } from '../msHistogram';
import { ALERTS_AGENT } from '../../lib/alerts/engine';
import { spanCost } from '../../lib/alerts/conditions/cost';
import { UsageOnce } from '../../lib/alerts/conditions/usageOnce';
import type { PriceTable } from '../../lib/cost/prices';

/** Distinct agents and methods that get their own series; more share `_other`. */
export const MAX_LABEL_VALUES = 500;
const OTHER = '_other';

interface AgentSeries {
  ok: number;
  error: number;
  timeout: number;
  tokens: number;
  /** Spend priced from span usage, in the price table's currency. */
  cost: number;
  lastSeen: number;
  connected: boolean;
}


export class ConditionMetrics {
  private readonly agents = new Map<string, AgentSeries>();
  private readonly methods = new Map<string, MsHistogramRecorder>();
  private readonly calls = new CallIndex();
  private readonly gates = new Map<string, { pass: number; fail: number }>();
  private readonly usageOnce = new UsageOnce();
  /** Starts at construction: a swarm that never spoke is silent since the server started. */
  lastEventTs: number;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly prices: PriceTable | null = null,
  ) {
    this.lastEventTs = now();
  }

  private agent(name: string): AgentSeries {
    let a = this.agents.get(name);
    if (!a) {
      if (this.agents.size >= MAX_LABEL_VALUES && name !== OTHER) return this.agent(OTHER);
      a = { ok: 0, error: 0, timeout: 0, tokens: 0, cost: 0, lastSeen: 0, connected: false };
      this.agents.set(name, a);
    }
    return a;
  }

  private method(name: string): MsHistogramRecorder {
    let m = this.methods.get(name);
    if (!m) {
      if (this.methods.size >= MAX_LABEL_VALUES && name !== OTHER) return this.method(OTHER);
      m = new MsHistogramRecorder(LATENCY_BOUNDS_MS);
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
      if (this.prices) a.cost += spanCost(e, this.prices, this.usageOnce);
      if (e.kind === 'gate.check' && e.data.attempt === 1) {
        const g = this.gate(e.data.gate);
        if (e.data.verdict === 'pass') g.pass++;
        else g.fail++;
      }
      if (e.kind === 'agent.connect' || e.kind === 'agent.register') a.connected = true;
      else if (e.kind === 'agent.disconnect') a.connected = false;
      else if (e.kind === 'token') a.tokens++;
      const call = this.calls.outcomeOf(e);
      if (!call) continue;
      if (call.ok) a.ok++;
      else if (e.kind === 'call.timeout') a.timeout++;
      else a.error++;
      this.method(call.method ?? '(unknown)').observe(call.durationMs);
    }
  }

  private gate(name: string): { pass: number; fail: number } {
    let g = this.gates.get(name);
    if (!g) {
      if (this.gates.size >= MAX_LABEL_VALUES && name !== OTHER) return this.gate(OTHER);
      g = { pass: 0, fail: 0 };
      this.gates.set(name, g);
    }
    return g;
  }

  gateSeries(): Iterable<[string, { pass: number; fail: number }]> {
    return this.gates;
  }

  agentSeries(): Iterable<[string, AgentSeries]> {
    return this.agents;
  }

  methodSeries(): Iterable<[string, MsHistogram]> {
    return this.methods;
  }

  ageSeconds(ts: number): number {
    return Math.max(0, (this.now() - ts) / 1000);
  }
}
