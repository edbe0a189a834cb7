import { describe, expect, it } from 'vitest';
import type { AlertTransitionData } from '../../lib/protocol/events';
import { buildDelivery, deliveryIdOf } from './payload';
import { WebhookDispatcher } from './webhooks';

const t: AlertTransitionData = {
  rule: 'errors <b>&',
  key: 'worker-1',
  kind: 'error_share',
  from: 'pending',
  to: 'firing',
  value: 0.75,
  threshold: 0.5,
  description: 'error share > 0.5 over 1m (min 1 calls)',
  severity: 'critical',
  labels: [
    ['__proto__', 'polluted'],
    ['team', 'core'],
  ],
  summary: null,
  receivers: null,
  examples: ['a'.repeat(32)],
  agent: 'worker-1',
  since: 1_000,
  at: 2_000,
  firing_id: 'abc-1',
};

describe('webhook payloads', () => {
  it('[AL3] the delivery id is stable per (firing, transition) and differs between firing and resolution', () => {
    expect(deliveryIdOf(t)).toBe(deliveryIdOf({ ...t }));
    expect(deliveryIdOf({ ...t, to: 'resolved' })).not.toBe(deliveryIdOf(t));
    expect(deliveryIdOf({ ...t, firing_id: 'abc-2' })).not.toBe(deliveryIdOf(t));
  });

  it('[AL3] generic JSON carries deep links; Slack text escapes the rule name; a `__proto__` label stays a label', () => {
    const d = buildDelivery(t, 'https://xray.example/');
    const json = JSON.parse(JSON.stringify(d.bodies.json));
    expect(json.links).toEqual({ alerts: 'https://xray.example/alerts', traces: [`https://xray.example/trace/${'a'.repeat(32)}`], agent: 'https://xray.example/traces?agent=worker-1' });
    expect(Object.keys(json.labels)).toEqual(['__proto__', 'team']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const text = (d.bodies.slack as { text: string }).text;
    expect(text).toContain('errors &lt;b&gt;&amp;');
    expect(text).toContain('<https://xray.example/trace/');
    expect(d.event).toBe('firing');
  });

  it('[AL3] retries back off exponentially with jitter, capped', () => {
    const lo = new WebhookDispatcher({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
    const hi = new WebhookDispatcher({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 1 });
    expect([1, 2, 3, 4, 5, 6].map((a) => lo.backoffMs(a))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((a) => hi.backoffMs(a))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});
