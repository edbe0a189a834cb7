/**
 * What a receiver gets for one transition: a generic JSON document (Alertmanager-like, with
 * dashboard deep links) or a Slack-compatible `{ text }` message. Pure, unit-tested.
 */
import { createHash } from 'node:crypto';
import type { AlertTransitionData } from '../../lib/protocol/events';
import type { Delivery } from './webhooks';

/** The same id for every retry of one transition of one firing; receivers dedupe on it. */
export function deliveryIdOf(t: Pick<AlertTransitionData, 'firing_id' | 'rule' | 'key' | 'to'>): string {
  return createHash('sha256').update(`${t.rule}\u0000${t.key}\u0000${t.firing_id}\u0000${t.to}`).digest('hex').slice(0, 32);
}

export function alertLinks(t: AlertTransitionData, baseUrl: string) {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    alerts: `${base}/alerts`,
    traces: t.examples.map((id) => `${base}/trace/${encodeURIComponent(id)}`),
    agent: t.agent ? `${base}/traces?agent=${encodeURIComponent(t.agent)}` : null,
  };
}

const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function formatValue(t: AlertTransitionData): string {
  return Number.isInteger(t.value) ? String(t.value) : t.value.toFixed(3);
}

export function buildDelivery(t: AlertTransitionData, baseUrl: string): Delivery {
  const id = deliveryIdOf(t);
  const links = alertLinks(t, baseUrl);
  const status = t.to === 'firing' ? 'firing' : 'resolved';
  const json = {
    version: 1,
    delivery_id: id,
    status,
    rule: t.rule,
    key: t.key,
    kind: t.kind,
    severity: t.severity,
    // Object.fromEntries defines own properties: a `__proto__` label stays a label.
    labels: Object.fromEntries(t.labels),
    value: t.value,
    threshold: t.threshold,
    description: t.description,
    summary: t.summary,
    agent: t.agent,
    since: new Date(t.since).toISOString(),
    at: new Date(t.at).toISOString(),
    firing_id: t.firing_id,
    examples: t.examples.map((trace_id, i) => ({ trace_id, url: links.traces[i] })),
    links,
  };
  const icon = status === 'firing' ? (t.severity === 'critical' ? ':rotating_light:' : ':warning:') : ':white_check_mark:';
  const subject = `${slackEscape(t.rule)}${t.key ? ` (${slackEscape(t.key)})` : ''}`;
  const lines = [
    `${icon} *${status.toUpperCase()}* [${t.severity}] <${links.alerts}|${subject}>`,
    `${slackEscape(t.description)} — value ${formatValue(t)}`,
    ...(t.summary ? [slackEscape(t.summary)] : []),
    ...(links.agent ? [`agent: <${links.agent}|${slackEscape(t.agent ?? '')}>`] : []),
    ...(links.traces.length ? [`traces: ${links.traces.map((u, i) => `<${u}|${t.examples[i].slice(0, 8)}>`).join(' ')}`] : []),
  ];
  return { id, event: status, bodies: { json, slack: { text: lines.join('\n') } } };
}
