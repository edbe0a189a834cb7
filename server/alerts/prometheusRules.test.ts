/**
 * The shipped Prometheus rules: valid for promtool, firing on synthetic series, and written
 * only against series X-Ray really exposes (checked against a real /metrics render).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { ConditionMetrics } from './conditionMetrics';
import { conditionMetricDefs } from './alertMetrics';
import { parsePriceTable } from '../../lib/cost/prices';

async function render(m: ConditionMetrics): Promise<string> {
  const registry = new Registry();
  for (const def of conditionMetricDefs(m)) def(registry);
  return registry.metrics();
}
import { FixtureSwarm } from '../../lib/alerts/testing/fixtureSwarm';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PROMTOOL = '/usr/bin/promtool';

describe('prometheus/alerts.yml', () => {
  it('[AL5] passes `promtool check rules` and its `promtool test rules` cases', () => {
    const check = execFileSync(PROMTOOL, ['check', 'rules', path.join(ROOT, 'prometheus/alerts.yml')], { encoding: 'utf8' });
    expect(check).toMatch(/SUCCESS: 9 rules found/);
    const unit = execFileSync(PROMTOOL, ['test', 'rules', path.join(ROOT, 'prometheus/alerts.test.yml')], { encoding: 'utf8' });
    expect(unit).toMatch(/SUCCESS/);
  });

  it('[AL5] every series the rules use is exposed, and the condition series count what the engine counts', async () => {
    const swarm = new FixtureSwarm();
    const prices = parsePriceTable('models:\n  - { pattern: "gpt-test*", input: 1000000, output: 1000000 }\n');
    const m = new ConditionMetrics(() => swarm.now + 5000, prices);
    const usage = { 'gen_ai.request.model': 'gpt-test', 'gen_ai.usage.input_tokens': 2, 'gen_ai.usage.output_tokens': 1 } as never;
    const gate = (verdict: string, attempt: number) => ({ ...swarm.token('ci'), kind: 'gate.check', data: { gate: 'security', verdict, attempt, requirements: [], evidence: [] } }) as never;
    m.observe([swarm.connect('worker-1'), ...swarm.call('boss', 'worker-1', 'scan', 'ok', 40), ...swarm.call('boss', 'worker-1', 'scan', 'error', 2500), swarm.token('worker-1'), swarm.spanEnd('worker-1', usage), swarm.disconnect('worker-1')]);
    m.observe([gate('fail', 1), gate('pass', 2), gate('pass', 1)]);
    const text = await render(m);
    expect(text).toContain('xray_agent_calls_total{agent="worker-1",outcome="ok"} 1');
    expect(text).toContain('xray_agent_calls_total{agent="worker-1",outcome="error"} 1');
    expect(text).toContain('xray_call_duration_seconds_bucket{method="scan",le="0.05"} 1');
    expect(text).toContain('xray_call_duration_seconds_bucket{method="scan",le="3"} 2');
    expect(text).toContain('xray_call_duration_seconds_sum{method="scan"} 2.54');
    expect(text).toContain('xray_agent_connected{agent="worker-1"} 0');
    expect(text).toContain('xray_agent_last_seen_age_seconds{agent="worker-1"} 5');
    expect(text).toContain('xray_agent_tokens_total{agent="worker-1"} 1');
    expect(text).toContain('xray_agent_cost_total{agent="worker-1"} 3');
    expect(text).toContain('xray_gate_first_attempts_total{gate="security",verdict="pass"} 1');
    expect(text).toContain('xray_gate_first_attempts_total{gate="security",verdict="fail"} 1');
    const rules = fs.readFileSync(path.join(ROOT, 'prometheus/alerts.yml'), 'utf8');
    const used = new Set([...rules.matchAll(/\b(xray_[a-z_]+?)(?:_bucket)?\b(?=[{\[ )=<>]|$)/gm)].map((x) => x[1]));
    const exposed = new Set([...text.matchAll(/^# TYPE (xray_[a-z_]+)/gm)].map((x) => x[1]));
    const own = fs.readFileSync(path.join(ROOT, 'server/alerts/alertMetrics.ts'), 'utf8');
    for (const name of ['xray_alerts_webhook_gave_up_total', 'xray_alerts_webhook_dropped_total', 'xray_alerts_rule_file_refused']) if (own.includes(`'${name}'`)) exposed.add(name);
    expect([...used].filter((u) => !exposed.has(u))).toEqual([]);
    expect(used.size).toBeGreaterThanOrEqual(10);
    // Base units and naming as promtool lints them (no output = no problems).
    expect(execFileSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' })).toBe('');
  });

  it('[G6] hostile agent names are escaped in label values and cannot add series without bound', async () => {
    const swarm = new FixtureSwarm();
    const m = new ConditionMetrics(() => swarm.now);
    m.observe([swarm.token('a"b\\c\nd'), swarm.token('__proto__')]);
    for (let i = 0; i < 600; i++) m.observe([swarm.token(`flood-${i}`)]);
    const text = await render(m);
    expect(text).toContain('xray_agent_tokens_total{agent="a\\"b\\\\c\\nd"} 1');
    expect(text).toContain('xray_agent_tokens_total{agent="__proto__"} 1');
    expect(text).toContain('xray_agent_tokens_total{agent="_other"}');
    expect(text.match(/^xray_agent_tokens_total\{/gm)!.length).toBeLessThanOrEqual(501);
  });
});
