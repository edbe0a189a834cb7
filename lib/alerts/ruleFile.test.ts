import { describe, expect, it } from 'vitest';
import { parseRuleFile } from './ruleFile';

const bad = (yaml: string) => {
  const r = parseRuleFile(yaml);
  expect(r.ok).toBe(false);
  return r.ok ? '' : r.error;
};

describe('alert rule file', () => {
  it('[AL1] parses receivers and every condition kind, with durations and defaults', () => {
    const r = parseRuleFile(`
receivers:
  - { name: ops, url: "http://127.0.0.1:9/hook", format: slack }
rules:
  - { name: e, kind: error_share, window: 1m, above: 0.2, for: 30s, receivers: [ops] }
  - { name: l, kind: latency_p95, window: 60, above_ms: 500 }
  - { name: g, kind: agent_gone, agent: worker-1, after: 45s, severity: critical }
  - { name: s, kind: silence, after: 2m }
  - { name: t, kind: tokens, window: 1h, above: 100000 }
`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.set.rules.map((x) => [x.kind, x.for, x.severity])).toEqual([
      ['error_share', 30_000, 'warning'],
      ['latency_p95', 0, 'warning'],
      ['agent_gone', 0, 'critical'],
      ['silence', 0, 'warning'],
      ['tokens', 0, 'warning'],
    ]);
    expect(r.set.rules[0].params.window).toBe(60_000);
    expect(r.set.receivers[0]).toMatchObject({ name: 'ops', format: 'slack', timeout_ms: 5000 });
    expect(parseRuleFile('').ok).toBe(true);
  });

  it('[G6] bad YAML, unknown kinds and fields, bad thresholds: one clear error naming the place', () => {
    expect(bad('rules: [')).toMatch(/^YAML:/);
    expect(bad('rules:\n  - { name: x, kind: nope }')).toMatch(/rules\[0\] \("x"\)\.kind: expected one of error_share/);
    expect(bad('rules:\n  - { name: x, kind: silence, after: 10s, afterr: 3 }')).toMatch(/rules\[0\] \("x"\).*afterr/);
    expect(bad('rules:\n  - { name: x, kind: error_share, window: 1m, above: 2 }')).toMatch(/above/);
    expect(bad('rules:\n  - { name: x, kind: silence, after: soon }')).toMatch(/after: expected a duration/);
    expect(bad('rules:\n  - { name: x, kind: silence, after: 1s }\n  - { name: x, kind: silence, after: 1s }')).toMatch(/duplicate rule name "x"/);
    expect(bad('rules:\n  - { name: x, kind: silence, after: 1s, receivers: [nobody] }')).toMatch(/unknown receiver "nobody"/);
    expect(bad('receivers:\n  - { name: r, url: "file:///etc/passwd" }')).toMatch(/only http/);
    expect(bad('receivers:\n  - { name: r, url: "http://x/", headers: { X-A: "a\\r\\nInjected: 1" } }')).toMatch(/receivers\[0\]/);
    expect(bad('nope: 1')).toMatch(/nope/);
    expect(bad('a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]')).toMatch(/YAML|alias|nope|Unrecognized|a/);
    expect(bad('x'.repeat(300 * 1024))).toMatch(/larger than/);
  });

  it('[G6] hostile rule names and label keys (`__proto__`, `constructor`) are data in Maps, not prototypes', () => {
    const r = parseRuleFile(`
rules:
  - name: __proto__
    kind: silence
    after: 5s
    labels: { __proto__: polluted, constructor: x, toString: y }
  - name: constructor
    kind: silence
    after: 5s
`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.set.rules.map((x) => x.name)).toEqual(['__proto__', 'constructor']);
    const labels = r.set.rules[0].labels;
    expect(labels).toBeInstanceOf(Map);
    expect([...labels]).toEqual([
      ['__proto__', 'polluted'],
      ['constructor', 'x'],
      ['toString', 'y'],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    // A `__proto__` key at rule level is an unknown field, refused by name.
    expect(bad('rules:\n  - { name: x, kind: silence, after: 5s, __proto__: { after: 1 } }')).toMatch(/__proto__/);
    expect(bad('rules:\n  - { name: "a\\u0000b", kind: silence, after: 5s }')).toMatch(/control/);
  });
});
