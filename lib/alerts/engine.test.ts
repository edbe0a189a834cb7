import { describe, expect, it } from 'vitest';
import type { AlertTransitionData } from '../protocol/events';
import { AlertEngine } from './engine';
import { parseRuleFile } from './ruleFile';
import { FixtureSwarm } from './testing/fixtureSwarm';

function setup(yaml: string) {
  const swarm = new FixtureSwarm();
  const transitions: AlertTransitionData[] = [];
  const engine = new AlertEngine(() => swarm.now, (t) => transitions.push(t));
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

describe('alert engine on a fixture swarm (fake clock)', () => {
  it('[AL1] error_share fires after `for`, carries the value and failing trace ids, and resolves once the window slides past the errors', () => {
    const { swarm, engine, transitions, advance, seen } = setup(`
rules:
  - name: worker errors
    kind: error_share
    agent: worker-1
    window: 60s
    above: 0.5
    min_calls: 4
    for: 10s
    severity: critical
    labels: { team: core }
`);
    engine.observe([...swarm.call('boss', 'worker-1', 'scan', 'error'), ...swarm.call('boss', 'worker-1', 'scan', 'error')]);
    engine.evaluate();
    expect(seen()).toEqual([]); // 2 calls < min_calls, though all failed
    engine.observe([...swarm.call('boss', 'worker-1', 'scan', 'ok'), ...swarm.call('boss', 'worker-1', 'scan', 'timeout'), ...swarm.call('boss', 'worker-2', 'scan', 'error')]);
    engine.evaluate();
    expect(seen()).toEqual(['worker errors/:pending']);
    advance(9_999);
    expect(seen()).toEqual(['worker errors/:pending']);
    advance(1);
    expect(seen()).toEqual(['worker errors/:pending', 'worker errors/:firing']);
    const firing = transitions[1];
    expect(firing.value).toBe(0.75);
    expect(firing.threshold).toBe(0.5);
    expect(firing.examples).toHaveLength(3);
    expect(firing.labels).toEqual([['team', 'core']]);
    expect(firing.firing_id).toMatch(/^[0-9a-f]{8}-/);
    // The errors leave the 60 s window (bucketed: within one bucket width of 60 s).
    advance(45_000);
    expect(seen()).toHaveLength(2);
    advance(10_000);
    expect(seen()).toEqual(['worker errors/:pending', 'worker errors/:firing', 'worker errors/:resolved']);
    expect(transitions[2].firing_id).toBe(firing.firing_id);
  });

  it('[AL1] error_share `by: method` keeps one alert per method (Map keyed by outside names, `__proto__` included)', () => {
    const { swarm, engine, seen } = setup(`
rules:
  - name: per method
    kind: error_share
    by: method
    window: 30s
    above: 0.1
`);
    engine.observe([...swarm.call('a', 'b', '__proto__', 'error'), ...swarm.call('a', 'b', 'constructor', 'ok'), ...swarm.call('a', 'b', 'ok-method', 'error')]);
    engine.evaluate();
    expect(seen().sort()).toEqual(['per method/__proto__:firing', 'per method/ok-method:firing']);
    expect(({} as Record<string, unknown>).scan).toBeUndefined();
  });

  it('[AL1] latency_p95 fires on slow calls of a method and resolves when they age out', () => {
    const { swarm, engine, seen, advance } = setup(`
rules:
  - name: slow scans
    kind: latency_p95
    method: scan
    window: 20s
    above_ms: 1000
`);
    for (let i = 0; i < 19; i++) engine.observe(swarm.call('a', 'b', 'scan', 'ok', 50));
    engine.observe(swarm.call('a', 'b', 'other', 'ok', 9000));
    engine.evaluate();
    expect(seen()).toEqual([]); // p95 of 19 fast scans; the slow call is another method
    engine.observe(swarm.call('a', 'b', 'scan', 'ok', 4000));
    engine.observe(swarm.call('a', 'b', 'scan', 'ok', 4000));
    engine.evaluate();
    expect(seen()).toEqual(['slow scans/:firing']);
    advance(25_000);
    expect(seen()).toEqual(['slow scans/:firing', 'slow scans/:resolved']);
  });

  it('[AL1] agent_gone fires N s after a disconnect (timer, no event needed) and resolves when the agent returns', () => {
    const { swarm, engine, seen, advance, transitions } = setup(`
rules:
  - name: gone
    kind: agent_gone
    agent_prefix: worker-
    after: 30s
`);
    engine.observe([swarm.connect('worker-1'), swarm.connect('boss'), swarm.disconnect('boss'), swarm.disconnect('worker-1')]);
    advance(29_999);
    expect(seen()).toEqual([]);
    advance(1);
    expect(seen()).toEqual(['gone/worker-1:firing']);
    expect(transitions[0].agent).toBe('worker-1');
    expect(transitions[0].value).toBe(30);
    swarm.now += 5000;
    engine.observe([swarm.connect('worker-1')]);
    engine.evaluate();
    expect(seen()).toEqual(['gone/worker-1:firing', 'gone/worker-1:resolved']);
  });

  it('[AL1] silence fires when the swarm (or a prefix) says nothing for N s, from the moment the rule loads', () => {
    const { swarm, engine, seen, advance } = setup(`
rules:
  - name: quiet swarm
    kind: silence
    after: 10s
  - name: quiet workers
    kind: silence
    agent_prefix: worker-
    after: 10s
`);
    advance(5000);
    engine.observe([swarm.token('boss')]);
    advance(5000);
    expect(seen()).toEqual(['quiet workers/:firing']);
    engine.observe([swarm.token('worker-3')]);
    advance(1);
    expect(seen()).toEqual(['quiet workers/:firing', 'quiet workers/:resolved']);
    advance(10_000);
    expect(seen()).toEqual(['quiet workers/:firing', 'quiet workers/:resolved', 'quiet swarm/:firing', 'quiet workers/:firing']);
  });

  it('[AL1] tokens per window: streamed frames per agent, or GenAI usage (a span counted once)', () => {
    const { swarm, engine, seen, advance, transitions } = setup(`
rules:
  - name: chatty
    kind: tokens
    by: agent
    window: 10s
    above: 5
  - name: usage
    kind: tokens
    source: usage
    window: 10s
    above: 1000
`);
    for (let i = 0; i < 6; i++) engine.observe([swarm.token('talker')]);
    for (let i = 0; i < 5; i++) engine.observe([swarm.token('quiet')]);
    const usage = { 'gen_ai.usage.input_tokens': 600, 'gen_ai.usage.output_tokens': 401 };
    // The same span's usage on its start and its end (as OTLP sends it) counts once.
    const llmTrace = 'e'.repeat(32);
    engine.observe([{ ...swarm.spanEnd('llm', usage, llmTrace), kind: 'span.start' } as never, swarm.spanEnd('llm', usage, llmTrace)]);
    engine.observe([swarm.spanEnd('llm', { 'gen_ai.usage.input_tokens': 1 }, 'f'.repeat(32))]);
    engine.evaluate();
    expect(seen().sort()).toEqual(['chatty/talker:firing', 'usage/:firing']);
    expect(transitions.find((t) => t.rule === 'usage')!.value).toBe(1002);
    advance(11_000);
    expect(seen().filter((s) => s.endsWith('resolved')).sort()).toEqual(['chatty/talker:resolved', 'usage/:resolved']);
  });

  it('[AL2] a reload keeps unchanged rules’ state and resolves the firing alerts of a changed or removed rule', () => {
    const { swarm, engine, seen } = setup(`
rules:
  - { name: a, kind: tokens, window: 10s, above: 0 }
  - { name: b, kind: tokens, window: 10s, above: 0 }
`);
    engine.observe([swarm.token('x')]);
    engine.evaluate();
    expect(seen()).toEqual(['a/:firing', 'b/:firing']);
    const next = parseRuleFile('rules:\n  - { name: a, kind: tokens, window: 10s, above: 0 }\n');
    if (!next.ok) throw new Error(next.error);
    engine.setRules(next.set);
    engine.evaluate();
    expect(seen()).toEqual(['a/:firing', 'b/:firing', 'b/:resolved']);
  });

  it('[AL1] the engine ignores its own alert.transition events', () => {
    const { swarm, engine, seen, advance } = setup('rules:\n  - { name: q, kind: silence, after: 5s }\n');
    advance(4000);
    engine.observe([{ ...swarm.token('xray.alerts'), kind: 'alert.transition' } as never]);
    advance(1000);
    expect(seen()).toEqual(['q/:firing']);
  });
});
