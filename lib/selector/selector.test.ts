import { describe, expect, it } from 'vitest';
import { matches, type SpanRecord } from './match';
import { parseSelector, SelectorError, SELECTOR_LIMITS } from './parse';

const VALID: [string, unknown][] = [
  ['span', [[[]]]],
  ['span[]', [[[]]]],
  ['span[name="security_scan_complete" vulnerabilities.critical=0]', [[[['name', '=', 'security_scan_complete'], ['vulnerabilities.critical', '=', 0]]]]],
  ["span[name='x']", [[[['name', '=', 'x']]]]],
  ['span[a!=1 b<2 c<=3 d>4 e>=5.5 f contains "z"]', [[[['a', '!=', 1], ['b', '<', 2], ['c', '<=', 3], ['d', '>', 4], ['e', '>=', 5.5], ['f', 'contains', 'z']]]]],
  ['span[ok=true done=false]', [[[['ok', '=', true], ['done', '=', false]]]]],
  ['span[duration < 500ms]', [[[['duration', '<', 500]]]]],
  ['span[duration>=2s duration<1m]', [[[['duration', '>=', 2000], ['duration', '<', 60000]]]]],
  ['span[duration > 250]', [[[['duration', '>', 250]]]]],
  ['span[x=-1.5e2]', [[[['x', '=', -150]]]]],
  ['span[status="error"], span[agent="a"]', [[[['status', '=', 'error']]], [[['agent', '=', 'a']]]]],
  ['span[agent="orch"] span[name="scan"]', [[[['agent', '=', 'orch']], [['name', '=', 'scan']]]]],
  ['  span[ name = "a b" ]  ', [[[['name', '=', 'a b']]]]],
  ['span[msg="say \\"hi\\""]', [[[['msg', '=', 'say "hi"']]]]],
  ['span["odd key"=1]', [[[['odd key', '=', 1]]]]],
  ['span[gen_ai.agent.name="planner" http.status_code>=500]', [[[['gen_ai.agent.name', '=', 'planner'], ['http.status_code', '>=', 500]]]]],
];

const INVALID: [string, number, RegExp][] = [
  ['', 0, /empty selector/],
  ['   ', 3, /empty selector/],
  ['spam[x=1]', 0, /expected "span"/],
  ['span[x=1', 8, /unclosed/],
  ['span[x 1]', 7, /operator/],
  ['span[x=]', 7, /expected a value/],
  ['span[=1]', 5, /attribute name/],
  ['span[x="abc]', 7, /unterminated string/],
  ['span[x=1,y=2]', 8, /expected space or "]"/],
  ['span[x=1 ,y=2]', 9, /separated by spaces/],
  ['span[x==1]', 7, /expected a value/],
  ['span[duration<5 parsecs]', 23, /operator/],
  ['span[duration<5lightyears]', 15, /unknown duration unit/],
  ['span[x=5ms]', 8, /units are only allowed on duration/],
  ['span[duration="5s"]', 14, /duration takes a number/],
  ['span[x contains 5]', 16, /contains needs a string/],
  ['span[x<true]', 7, /cannot compare booleans/],
  ['span[x=yes]', 7, /expected a value/],
  ['span[x=1] ; drop table spans', 10, /expected "span"/],
  ['span[x=1]span[y=2]', 9, /expected whitespace/],
  ['span[x=1],', 10, /expected "span"/],
  ['span[x=1] span[y=2] span[z=3] span[w=4] span[v=5]', 40, /at most 4 nested/],
  [Array.from({ length: 9 }, () => 'span').join(','), 40, /at most 8 alternatives/],
  [`span[${Array.from({ length: 33 }, (_, i) => `k${i}=1`).join(' ')}]`, 5 + 10 * 5 + 22 * 6, /at most 32 conditions/],
  ['x'.repeat(SELECTOR_LIMITS.maxLength + 1), SELECTOR_LIMITS.maxLength, /longer than/],
  [`span[x="${'a'.repeat(600)}"]`, 7, /longer than 512/],
];

function shape(source: string): unknown {
  return parseSelector(source).alternatives.map((a) => a.path.map((c) => c.conditions.map((x) => [x.key, x.op, x.value])));
}

describe('selector parser', () => {
  it.each(VALID)('[C1] parses %s', (source, expected) => {
    expect(shape(source)).toEqual(expected);
  });

  it.each(INVALID)('[G6] refuses %j at its position', (source, position, message) => {
    let error: unknown;
    try {
      parseSelector(source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SelectorError);
    expect((error as SelectorError).message).toMatch(message);
    expect((error as SelectorError).position).toBe(position);
  });

  it('[G6] a maximal hostile selector parses quickly and is bounded', () => {
    const hostile = `span[${'a'.repeat(400)}="${'\\"'.repeat(200)}"]`;
    expect(() => parseSelector(hostile)).not.toThrow();
    expect(() => parseSelector('span['.repeat(500))).toThrow(SelectorError);
  });
});

const base: SpanRecord = {
  trace_id: 'a'.repeat(32),
  span_id: '1'.repeat(16),
  parent_span_id: null,
  name: 'security_scan_complete',
  agent: 'scanner',
  status: 'ok',
  kind: 'otlp',
  start: 1000,
  end: 1400,
  attributes: { 'vulnerabilities.critical': 0, 'scan.tool': 'trivy', passed: true, count: '12', 'service.name': 'scanner' },
};

const MATCHES: [string, boolean][] = [
  ['span', true],
  ['span[name="security_scan_complete" vulnerabilities.critical=0]', true],
  ['span[name="security_scan_complete" vulnerabilities.critical=1]', false],
  ['span[vulnerabilities.critical="0"]', true],
  ['span[vulnerabilities.critical!=0]', false],
  ['span[missing!=1]', true],
  ['span[missing=1]', false],
  ['span[missing<1]', false],
  ['span[count>10]', true],
  ['span[count<10]', false],
  ['span[passed=true]', true],
  ['span[passed=false]', false],
  ['span[scan.tool contains "riv"]', true],
  ['span[scan.tool contains "snyk"]', false],
  ['span[scan.tool > "a"]', true],
  ['span[duration < 500ms]', true],
  ['span[duration > 0.3s]', true],
  ['span[duration >= 1s]', false],
  ['span[agent="scanner" status="ok" kind="otlp"]', true],
  ['span[status="error"], span[agent="scanner"]', true],
  ['span[status="error"], span[agent="other"]', false],
  [`span[trace_id="${'a'.repeat(32)}"]`, true],
  ['span[name contains "scan" name contains "complete"]', true],
];

describe('selector matching', () => {
  it.each(MATCHES)('[C1] %s → %s', (source, expected) => {
    expect(matches(base, parseSelector(source))).toBe(expected);
  });

  it('[C1] an open span has no duration', () => {
    expect(matches({ ...base, end: null }, parseSelector('span[duration<1s]'))).toBe(false);
  });

  it('[C1] span[A] span[B] selects B inside A subtree, at any depth', () => {
    const root: SpanRecord = { ...base, span_id: 'r'.repeat(16), name: 'merge', agent: 'orch', parent_span_id: null };
    const mid: SpanRecord = { ...base, span_id: 'm'.repeat(16), name: 'review', parent_span_id: root.span_id };
    const leaf: SpanRecord = { ...base, span_id: 'l'.repeat(16), parent_span_id: mid.span_id };
    const spans = new Map([root, mid, leaf].map((s) => [s.span_id, s]));
    const parentOf = (_t: string, id: string) => spans.get(id);
    expect(matches(leaf, parseSelector('span[agent="orch"] span[name="security_scan_complete"]'), parentOf)).toBe(true);
    expect(matches(leaf, parseSelector('span[agent="orch"] span[name="review"] span[vulnerabilities.critical=0]'), parentOf)).toBe(true);
    expect(matches(leaf, parseSelector('span[name="review"] span[agent="orch"] span[vulnerabilities.critical=0]'), parentOf)).toBe(false);
    expect(matches(root, parseSelector('span[agent="orch"] span[agent="orch"]'), parentOf)).toBe(false);
    expect(matches(leaf, parseSelector('span[agent="nobody"] span'), parentOf)).toBe(false);
  });

  it('[G6] a cyclic parent chain terminates', () => {
    const a: SpanRecord = { ...base, span_id: 'a'.repeat(16), parent_span_id: 'b'.repeat(16) };
    const b: SpanRecord = { ...base, span_id: 'b'.repeat(16), parent_span_id: 'a'.repeat(16) };
    const spans = new Map([a, b].map((s) => [s.span_id, s]));
    expect(matches(a, parseSelector('span[agent="nobody"] span'), (_t, id) => spans.get(id))).toBe(false);
  });
});
