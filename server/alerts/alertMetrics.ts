/**
 * The alerting figures of `/metrics` as prom-client definitions (one line each): the engine's
 * and webhooks' own counters, then the alert conditions as series for Prometheus users
 * (conditionMetrics.ts keeps the counts; this file only exposes them).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { counter, gauge, msHistogramSeriesAsSeconds, type MetricDef } from '../observation/prometheus';
import type { AlertService } from './alertService';
import type { ConditionMetrics } from './conditionMetrics';

/** A gauge or counter with labels, all series read at scrape time. */
function labeled(type: 'gauge' | 'counter', name: string, help: string, labelNames: string[], read: () => Iterable<[Record<string, string>, number]>): MetricDef {
  return (registry: Registry) => {
    const Kind = type === 'gauge' ? Gauge : Counter;
    new Kind({
      name,
      help,
      labelNames,
      registers: [registry],
      collect(this: Gauge | Counter) {
        this.reset();
        for (const [labels, v] of read()) {
          if (this instanceof Gauge) this.set(labels, v);
          else this.inc(labels, Math.max(0, v));
        }
      },
    });
  };
}

/** Call durations by method: buckets kept in ms by ConditionMetrics, exposed in seconds. */
function callDurationHistogram(m: ConditionMetrics): MetricDef {
  return msHistogramSeriesAsSeconds('xray_call_duration_seconds', 'Call durations by method (seconds).', 'method', () => m.methodSeries());
}

/** The alert conditions as series: error share, latency, last seen, connected, tokens, silence. */
export function conditionMetricDefs(m: ConditionMetrics): MetricDef[] {
  const perAgent = (pick: (a: ReturnType<ConditionMetrics['agentSeries']> extends Iterable<[string, infer A]> ? A : never) => number) =>
    function* () {
      for (const [agent, a] of m.agentSeries()) yield [{ agent }, pick(a)] as [Record<string, string>, number];
    };
  return [
    labeled('counter', 'xray_agent_calls_total', 'Calls answered by an agent, by outcome (ok, error, timeout). Error share: rate of error+timeout over rate of all.', ['agent', 'outcome'], function* () {
      for (const [agent, a] of m.agentSeries()) {
        yield [{ agent, outcome: 'ok' }, a.ok];
        yield [{ agent, outcome: 'error' }, a.error];
        yield [{ agent, outcome: 'timeout' }, a.timeout];
      }
    }),
    labeled('counter', 'xray_agent_tokens_total', 'Streamed token frames per agent.', ['agent'], perAgent((a) => a.tokens)),
    labeled('counter', 'xray_agent_cost_total', 'Model spend per agent, priced from span usage with the price table (XRAY_PRICES), in its currency.', ['agent'], perAgent((a) => a.cost)),
    labeled('counter', 'xray_gate_first_attempts_total', 'First attempts of evidence gates (gate.check with attempt 1), by verdict.', ['gate', 'verdict'], function* () {
      for (const [gate, g] of m.gateSeries()) {
        yield [{ gate, verdict: 'pass' }, g.pass];
        yield [{ gate, verdict: 'fail' }, g.fail];
      }
    }),
    labeled('gauge', 'xray_agent_last_seen_age_seconds', 'Seconds since the agent last produced an event.', ['agent'], perAgent((a) => m.ageSeconds(a.lastSeen))),
    labeled('gauge', 'xray_agent_connected', '1 while the agent is connected, 0 after it disconnected.', ['agent'], perAgent((a) => (a.connected ? 1 : 0))),
    gauge('xray_swarm_last_event_age_seconds', 'Seconds since any agent produced an event (since the server started, before the first).', () => m.ageSeconds(m.lastEventTs)),
    callDurationHistogram(m),
  ];
}

export function alertMetrics(alerts: AlertService): MetricDef[] {
  const w = alerts.webhooks.stats;
  return [
    gauge('xray_alerts_rules', 'Alert rules in force.', () => alerts.engine.ruleCount),
    counter('xray_alerts_rule_file_errors_total', 'Rule files refused (bad YAML or rules); the previous rules stayed in force.', () => alerts.stats.loadErrors),
    gauge('xray_alerts_rule_file_refused', '1 while the rule file on disk is refused.', () => (alerts.rules().error ? 1 : 0)),
    counter('xray_alerts_transitions_total', 'Alert state transitions (pending, firing, resolved, inactive).', () => alerts.engine.stats.transitions),
    counter('xray_alerts_transition_append_failures_total', 'Transitions the log could not record.', () => alerts.stats.appendFailures),
    counter('xray_alerts_webhook_enqueued_total', 'Webhook deliveries queued.', () => w.enqueued),
    counter('xray_alerts_webhook_delivered_total', 'Webhook deliveries acknowledged with 2xx.', () => w.delivered),
    counter('xray_alerts_webhook_failed_attempts_total', 'Webhook attempts that failed (non-2xx, refused, timed out); retried with backoff.', () => w.failedAttempts),
    counter('xray_alerts_webhook_dropped_total', 'Webhook deliveries dropped because the receiver queue was full.', () => w.dropped),
    counter('xray_alerts_webhook_gave_up_total', 'Webhook deliveries given up after the last retry.', () => w.gaveUp),
    gauge('xray_alerts_webhook_queued', 'Webhook deliveries waiting.', () => alerts.webhooks.queued),
    labeled('gauge', 'xray_alerts_firing', 'Alerts firing per rule.', ['rule', 'severity'], function* () {
      const firing = new Map<string, { severity: string; n: number }>();
      for (const a of alerts.active()) {
        const f = firing.get(a.rule) ?? { severity: a.severity, n: 0 };
        if (a.phase === 'firing') f.n++;
        firing.set(a.rule, f);
      }
      for (const [rule, f] of firing) yield [{ rule, severity: f.severity }, f.n];
    }),
    ...conditionMetricDefs(alerts.conditionMetrics),
  ];
}
