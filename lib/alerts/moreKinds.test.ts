import { describe, expect, it } from 'vitest';
import { parsePriceTable } from '../cost/prices';
import type { AlertTransitionData, XrayEvent } from '../protocol/events';
import type { ConditionContext } from './condition';
import { AlertEngine } from './engine';
import { parseRuleFile } from './ruleFile';
import { FixtureSwarm } from './testing/fixtureSwarm';

function setup(yaml: string, context: ConditionContext = {}) {
  const swarm = new FixtureSwarm();
  const transitions: AlertTransitionData[] = [];
  const engine = new AlertEngine(() => swarm.now, (t) => transitions.push(t), context);
  const parsed = parseRuleFile(yaml);
  if (!parsed.ok) throw new Error(parsed.error);
  engine.setRules(parsed.set);
  const advance = (ms: number) => {
    swarm.now += ms;
    engine.evaluate();
  };
  const seen = () => transitions.map((t) => `${t.rule}/${t.key}:${t.to}`);
  return { swarm, engine, transitions, advance, seen };
}

let gateSpan = 10_000;
function gateCheck(swarm: FixtureSwarm, gate: string, verdict: 'pass' | 'fail', attempt: number, traceId: string): XrayEvent {
  return swarm.event('gate.check', 'ci', { trace_id: traceId, span_id: (++gateSpan).toString(16).padStart(16, '0'), data: { gate, verdict, attempt } });
}

function span(swarm: FixtureSwarm, kind: 'span.start' | 'span.end', traceId: string, spanId: string, data: Record<string, unknown>, parent: string | null = null, agent = 'deployer'): XrayEvent {
  return swarm.event(kind, agent, { trace_id: traceId, span_id: spanId, parent_span_id: parent, data }) as XrayEvent;
}

const T1 = '1'.repeat(32);
const T2 = '2'.repeat(32);

describe('condition kinds on gates, cost and selectors (fake clock)', () => {
  it('[AL1] gate_pass_rate fires when first attempts pass too rarely, ignores retries, and resolves as the window slides', () => {
    const { swarm, engine, seen, advance, transitions } = setup(`
rules:
  - { name: gates, kind: gate_pass_rate, by: gate, window: 30s, below: 0.5, min_checks: 2 }
`);
    engine.observe([gateCheck(swarm, 'security', 'fail', 1, T1), gateCheck(swarm, 'security', 'pass', 2, T1), gateCheck(swarm, 'security', 'pass', 2, T1)]);
    engine.evaluate();
    expect(seen()).toEqual([]); // one first attempt < min_checks; retries do not count
    engine.observe([gateCheck(swarm, 'security', 'fail', 1, T2), gateCheck(swarm, 'tests', 'pass', 1, T2), gateCheck(swarm, 'tests', 'pass', 1, T1)]);
    engine.evaluate();
    expect(seen()).toEqual(['gates/security:firing']);
    expect(transitions[0].value).toBe(0);
    expect(transitions[0].examples).toEqual([T1, T2]);
    advance(31_000);
    expect(seen()).toEqual(['gates/security:firing', 'gates/security:resolved']);
  });

  it('[AL1] cost per window prices span usage with the price table (each span once) and resolves as the window slides', () => {
    const prices = parsePriceTable('models:\n  - { pattern: "gpt-test*", input: 1000000, output: 2000000 }\n');
    const { swarm, engine, seen, advance, transitions } = setup('rules:\n  - { name: spend, kind: cost, by: agent, window: 10s, above: 50 }\n', { prices });
    const usage = { 'gen_ai.request.model': 'gpt-test-1', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 20 };
    // $10 + $40 = $50 on start and end of one span: counted once, not above 50.
    engine.observe([span(swarm, 'span.start', T1, 'a'.repeat(16), { name: 'chat', attributes: usage }), span(swarm, 'span.end', T1, 'a'.repeat(16), { status: 'ok', attributes: usage })]);
    engine.evaluate();
    expect(seen()).toEqual([]);
    engine.observe([span(swarm, 'span.end', T2, 'b'.repeat(16), { status: 'ok', attributes: { 'gen_ai.request.model': 'gpt-test-1', 'gen_ai.usage.input_tokens': 1 } })]);
    engine.observe([span(swarm, 'span.end', T2, 'c'.repeat(16), { status: 'ok', attributes: { 'gen_ai.request.model': 'unpriced', 'gen_ai.usage.input_tokens': 1000 } })]);
    engine.evaluate();
    expect(seen()).toEqual(['spend/deployer:firing']);
    expect(transitions[0].value).toBe(51);
    advance(11_000);
    expect(seen()).toEqual(['spend/deployer:firing', 'spend/deployer:resolved']);
  });

  it('[AL1] span_match counts completed spans matching a selector (descendants included) per window', () => {
    const { swarm, engine, seen, advance, transitions } = setup(`
rules:
  - { name: failed deploys in releases, kind: span_match, selector: 'span[name="release"] span[name="deploy" status="error"]', window: 20s }
  - { name: any failed deploy, kind: span_match, selector: 'span[name="deploy" status="error"]', window: 20s, above: 1 }
`);
    const root = 'r'.repeat(16).replace(/r/g, '1');
    const ok = '2'.repeat(16);
    const bad = '3'.repeat(16);
    const orphan = '4'.repeat(16);
    engine.observe([span(swarm, 'span.start', T1, root, { name: 'release' }), span(swarm, 'span.start', T1, ok, { name: 'deploy' }, root), span(swarm, 'span.end', T1, ok, { status: 'ok' })]);
    engine.observe([span(swarm, 'span.start', T2, orphan, { name: 'deploy' }), span(swarm, 'span.end', T2, orphan, { status: 'error' })]);
    engine.evaluate();
    expect(seen()).toEqual([]); // an ok deploy, and a failed one outside a release (1, not above 1)
    engine.observe([span(swarm, 'span.start', T1, bad, { name: 'deploy' }, root)]);
    engine.evaluate();
    expect(seen()).toEqual([]); // not complete yet
    engine.observe([span(swarm, 'span.end', T1, bad, { status: 'error' })]);
    engine.evaluate();
    expect(seen()).toEqual(['failed deploys in releases/:firing', 'any failed deploy/:firing']);
    expect(transitions[0].examples).toEqual([T1]);
    expect(transitions[1].value).toBe(2);
    advance(21_000);
    expect(seen().slice(2).sort()).toEqual(['any failed deploy/:resolved', 'failed deploys in releases/:resolved']);
  });

  it('[G6] a bad selector is refused with the parser’s reason', () => {
    const r = parseRuleFile("rules:\n  - { name: x, kind: span_match, selector: 'span[name=', window: 10s }\n");
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error).toMatch(/rules\[0\] \("x"\): selector: expected/);
  });
});
