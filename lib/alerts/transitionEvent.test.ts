/** An `alert.transition` in the event stream must not disturb the live model or trace building. */
import { describe, expect, it } from 'vitest';
import { applyEvents, createSwarmModel } from '../model/swarmModel';
import { alertTransitionData, type XrayEvent } from '../protocol/events';
import { buildTrace } from '../trace/buildTrace';
import { AlertEngine, ALERTS_AGENT } from './engine';
import { parseRuleFile } from './ruleFile';
import { FixtureSwarm } from './testing/fixtureSwarm';

describe('alert.transition events downstream', () => {
  it('[AL2] the engine emits schema-valid transitions; the live model and trace building skip them', () => {
    const swarm = new FixtureSwarm();
    const out: XrayEvent[] = [];
    const engine = new AlertEngine(
      () => swarm.now,
      (data) => out.push(swarm.event('alert.transition', ALERTS_AGENT, { seq: 100 + out.length, data })),
    );
    const rules = parseRuleFile('rules:\n  - { name: t, kind: tokens, window: 5s, above: 0, labels: { __proto__: x } }\n');
    if (!rules.ok) throw new Error(rules.error);
    engine.setRules(rules.set);
    const token = swarm.token('worker-1');
    engine.observe([token]);
    engine.evaluate();
    expect(out).toHaveLength(1);
    const data = out[0].kind === 'alert.transition' ? out[0].data : null;
    expect(alertTransitionData.parse(data)).toMatchObject({ rule: 't', to: 'firing', labels: [['__proto__', 'x']], examples: [token.trace_id] });

    const model = createSwarmModel(0);
    applyEvents(model, [token, ...out]);
    expect([...model.agents.keys()]).toEqual(['worker-1']);
    expect(() => buildTrace(token.trace_id!, [token, ...out])).not.toThrow();
  });
});
