import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../selector/match';
import { evaluateGate, type CitedEvidence } from './evaluate';
import { GateConfigError, parseGateConfig, parseMaxAge } from './gateConfig';

/** The seed's gate, verbatim (seeds/telemetry-as-coordination.txt, BossCat). */
export const SEED_GATES_YAML = `gate_requirements:
  - name: "security_scan"
    evidence_type: "telemetry_span"
    span_name: "security_scan_complete"
    required_attributes:
      - "vulnerabilities.critical: 0"
`;

describe('gate YAML', () => {
  it('[C4] loads the seed gate unchanged', () => {
    const [gate, ...rest] = parseGateConfig(SEED_GATES_YAML);
    expect(rest).toEqual([]);
    expect(gate.name).toBe('security_scan');
    expect(gate.requirements).toHaveLength(1);
    expect(gate.requirements[0]).toMatchObject({
      evidence_type: 'telemetry_span',
      span_name: 'security_scan_complete',
      required_attributes: ['vulnerabilities.critical: 0'],
      conditions: [{ key: 'vulnerabilities.critical', op: '=', value: 0 }],
      same_trace: false,
    });
  });

  it('[C4] extensions: selector, max_age, same_trace, several requirements (repeated name or requirements list)', () => {
    const gates = parseGateConfig(`
gate_requirements:
  - name: release
    span_name: security_scan_complete
    required_attributes: ["vulnerabilities.critical: 0", "scan.passed: true", 'scan.tool: "trivy"']
    selector: 'span[agent="security-scanner"]'
    max_age: 10m
    same_trace: true
  - name: release
    span_name: tests_complete
    required_attributes: ["tests.failed: 0"]
  - name: deploy
    requirements:
      - { name: approved, span_name: approval, max_age: 3600 }
      - { selector: 'span[name="canary" error_rate < 0.01]' }
`);
    expect(gates.map((g) => [g.name, g.requirements.length])).toEqual([
      ['release', 2],
      ['deploy', 2],
    ]);
    const r = gates[0].requirements[0];
    expect(r.conditions.map((c) => [c.key, c.value])).toEqual([
      ['vulnerabilities.critical', 0],
      ['scan.passed', true],
      ['scan.tool', 'trivy'],
    ]);
    expect(r).toMatchObject({ maxAgeMs: 600_000, same_trace: true });
    expect(gates[1].requirements[0]).toMatchObject({ label: 'approved', maxAgeMs: 3_600_000 });
    expect(parseMaxAge('30s')).toBe(30_000);
    expect(parseMaxAge('1h')).toBe(3_600_000);
  });

  it.each([
    ['not: [yaml', /not valid YAML/],
    ['gates: []', /gate_requirements|Unrecognized/],
    ['gate_requirements: [{ name: "bad name!", span_name: x }]', /gate names/],
    ['gate_requirements: [{ name: g, evidence_type: hearsay, span_name: x }]', /evidence_type/],
    ['gate_requirements: [{ name: g }]', /needs span_name, selector or required_attributes/],
    ['gate_requirements: [{ name: g, span_name: x, required_attributes: ["no colon"] }]', /not "key: value"/],
    ['gate_requirements: [{ name: g, selector: "span[" }]', /selector/],
    ['gate_requirements: [{ name: g, span_name: x, max_age: "soon" }]', /max_age/],
    ['gate_requirements: [{ name: g, span_name: x, surprise: 1 }]', /surprise|Unrecognized/],
  ])('[G6] refuses %s', (text, message) => {
    expect(() => parseGateConfig(text)).toThrow(GateConfigError);
    expect(() => parseGateConfig(text)).toThrow(message);
  });
});

const NOW = 1_000_000;
const T = 'a'.repeat(32);
const scan: SpanRecord = {
  trace_id: T,
  span_id: '1'.repeat(16),
  parent_span_id: null,
  name: 'security_scan_complete',
  agent: 'security-scanner',
  status: 'ok',
  kind: 'otlp',
  start: NOW - 2000,
  end: NOW - 1000,
  attributes: { 'vulnerabilities.critical': 0 },
};
const cite = (span: SpanRecord | undefined, span_id = span?.span_id ?? 'f'.repeat(16)): CitedEvidence => ({ span_id, span });

describe('gate evaluation', () => {
  const [seedGate] = parseGateConfig(SEED_GATES_YAML);
  const [strict] = parseGateConfig(`gate_requirements:
  - name: strict
    span_name: security_scan_complete
    required_attributes: ["vulnerabilities.critical: 0"]
    selector: 'span[agent="security-scanner"]'
    max_age: 5m
    same_trace: true
`);

  const cases: [string, CitedEvidence[], string | undefined, 'pass' | 'fail', RegExp][] = [
    ['no evidence', [], T, 'fail', /no evidence cited/],
    ['unknown (forged) span id', [cite(undefined)], T, 'fail', /was not recorded by the pipeline/],
    ['wrong span name', [cite({ ...scan, name: 'lint_complete' })], T, 'fail', /is "lint_complete", not "security_scan_complete"/],
    ['wrong attribute value', [cite({ ...scan, attributes: { 'vulnerabilities.critical': 2 } })], T, 'fail', /vulnerabilities.critical is 2, required 0/],
    ['missing attribute', [cite({ ...scan, attributes: {} })], T, 'fail', /vulnerabilities.critical is missing/],
    ['span still open', [cite({ ...scan, end: null })], T, 'fail', /has not finished/],
    ['span failed', [cite({ ...scan, status: 'error' })], T, 'fail', /ended with an error/],
    ['stale', [cite({ ...scan, end: NOW - 3_600_000 })], T, 'fail', /is 60m old; max_age 5m/],
    ['wrong trace', [cite({ ...scan, trace_id: 'b'.repeat(32) })], T, 'fail', /is in trace b+, not a+/],
    ['same_trace without a trace', [cite(scan)], undefined, 'fail', /names no trace_id/],
    ['selector not matched (self-made span)', [cite({ ...scan, agent: 'orchestrator' })], T, 'fail', /does not match span\[agent="security-scanner"\]/],
    ['pass', [cite(scan)], T, 'pass', /met by span 1+/],
    ['pass with a bad citation beside the good one', [cite(undefined), cite({ ...scan, name: 'x', span_id: '2'.repeat(16) }), cite(scan)], T, 'pass', /met by span 1+/],
  ];

  it.each(cases)('[C4] strict gate: %s', (_name, evidence, traceId, verdict, reason) => {
    const r = evaluateGate(strict, evidence, traceId, NOW);
    expect(r.verdict).toBe(verdict);
    expect(r.requirements[0].reason).toMatch(reason);
    expect(r.requirements[0].ok).toBe(verdict === 'pass');
  });

  it('[C4] the seed gate needs no trace and no freshness', () => {
    expect(evaluateGate(seedGate, [cite({ ...scan, end: 0, trace_id: 'c'.repeat(32) })], undefined, NOW).verdict).toBe('pass');
  });

  it('[C4] several requirements: every one must be met, each by a cited span', () => {
    const [gate] = parseGateConfig(`gate_requirements:
  - name: release
    span_name: security_scan_complete
    required_attributes: ["vulnerabilities.critical: 0"]
  - name: release
    span_name: tests_complete
    required_attributes: ["tests.failed: 0"]
`);
    const tests: SpanRecord = { ...scan, span_id: '3'.repeat(16), name: 'tests_complete', attributes: { 'tests.failed': 0 } };
    const one = evaluateGate(gate, [cite(scan)], T, NOW);
    expect(one.verdict).toBe('fail');
    expect(one.requirements.map((r) => r.ok)).toEqual([true, false]);
    expect(evaluateGate(gate, [cite(scan), cite(tests)], T, NOW).verdict).toBe('pass');
  });
});
