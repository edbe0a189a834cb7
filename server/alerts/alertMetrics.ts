/**
 * The alerting block of `/metrics` (text exposition, appended after the core metrics): the
 * engine's and webhooks' own counters, then the conditions as series (conditionMetrics.ts).
 */
import type { AlertService } from './alertService';
import { escapeLabel } from './conditionMetrics';

export function alertMetricsText(alerts: AlertService): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  const w = alerts.webhooks.stats;
  metric('xray_alerts_rules', 'gauge', 'Alert rules in force.', alerts.engine.ruleCount);
  metric('xray_alerts_rule_file_errors_total', 'counter', 'Rule files refused (bad YAML or rules); the previous rules stayed in force.', alerts.stats.loadErrors);
  metric('xray_alerts_rule_file_refused', 'gauge', '1 while the rule file on disk is refused.', alerts.rules().error ? 1 : 0);
  metric('xray_alerts_transitions_total', 'counter', 'Alert state transitions (pending, firing, resolved, inactive).', alerts.engine.stats.transitions);
  metric('xray_alerts_transition_append_failures_total', 'counter', 'Transitions the log could not record.', alerts.stats.appendFailures);
  metric('xray_alerts_webhook_enqueued_total', 'counter', 'Webhook deliveries queued.', w.enqueued);
  metric('xray_alerts_webhook_delivered_total', 'counter', 'Webhook deliveries acknowledged with 2xx.', w.delivered);
  metric('xray_alerts_webhook_failed_attempts_total', 'counter', 'Webhook attempts that failed (non-2xx, refused, timed out); retried with backoff.', w.failedAttempts);
  metric('xray_alerts_webhook_dropped_total', 'counter', 'Webhook deliveries dropped because the receiver queue was full.', w.dropped);
  metric('xray_alerts_webhook_gave_up_total', 'counter', 'Webhook deliveries given up after the last retry.', w.gaveUp);
  metric('xray_alerts_webhook_queued', 'gauge', 'Webhook deliveries waiting.', alerts.webhooks.queued);
  const firing = new Map<string, { severity: string; n: number }>();
  for (const a of alerts.active()) {
    const f = firing.get(a.rule) ?? { severity: a.severity, n: 0 };
    if (a.phase === 'firing') f.n++;
    firing.set(a.rule, f);
  }
  lines.push('# HELP xray_alerts_firing Alerts firing per rule.', '# TYPE xray_alerts_firing gauge');
  for (const [rule, f] of firing) lines.push(`xray_alerts_firing{rule="${escapeLabel(rule)}",severity="${f.severity}"} ${f.n}`);
  return lines.join('\n') + '\n' + alerts.conditionMetrics.render();
}
