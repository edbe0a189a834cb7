/**
 * Evidence gates against a real relay: every verdict outcome over HTTP, evidence emitted by
 * the OpenTelemetry SDK, verdicts recorded as gate.check events in the trace, attempts and
 * first-attempt pass rates, the YAML file reloaded on change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventOf } from '../../lib/protocol/events';
import type { GateVerdict } from '../../lib/protocol/spans';
import { mintSpanId } from '../../lib/protocol/ids';
import { spanMetrics } from '../spans/spanMetrics';
import { renderMetricDefs } from '../observation/prometheus';
import { exportScan } from '../testing/otelScan';
import { postJson, startTestApi, startTestRelay, tempDir, waitFor } from '../testing/harness';

const GATES = `gate_requirements:
  - name: "security_scan"
    evidence_type: "telemetry_span"
    span_name: "security_scan_complete"
    required_attributes:
      - "vulnerabilities.critical: 0"
  - name: fresh_scan
    span_name: security_scan_complete
    required_attributes: ["vulnerabilities.critical: 0"]
    selector: 'span[agent="security-scanner"]'
    max_age: 10m
    same_trace: true
  - name: release
    requirements:
      - { span_name: security_scan_complete, required_attributes: ["vulnerabilities.critical: 0"] }
      - { span_name: tests_complete, required_attributes: ["tests.failed: 0"] }
`;

type Relay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: Relay;
let gatesFile: string;

beforeEach(async () => {
  const dir = tempDir();
  gatesFile = path.join(dir, 'gates.yaml');
  fs.writeFileSync(gatesFile, GATES);
  relay = await startTestRelay({ dataDir: dir, gatesFile });
});
afterEach(async () => {
  await relay.close();
});

async function check(gate: string, body: unknown): Promise<GateVerdict> {
  const res = await postJson(`${relay.url}/v1/gates/${gate}/check`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as GateVerdict;
}

describe('evidence gates', () => {
  it('[C4] lists the configured gates (the seed gate loads unchanged)', async () => {
    const res = await fetch(`${relay.url}/v1/gates`);
    const body = await res.json();
    expect(body.error).toBeNull();
    expect(body.gates.map((g: { name: string }) => g.name)).toEqual(['security_scan', 'fresh_scan', 'release']);
    expect(body.gates[0].requirements).toEqual([
      { name: 'security_scan_complete{vulnerabilities.critical: 0}', evidence_type: 'telemetry_span', span_name: 'security_scan_complete', required_attributes: ['vulnerabilities.critical: 0'], same_trace: false },
    ]);
  });

  it('[C4] passes only with a cited span recorded from the OpenTelemetry SDK, and records the verdict in the trace', async () => {
    const scan = await exportScan(relay.url, 0);
    const v = await check('security_scan', { evidence: [{ span_id: scan.spanId }], from: 'orchestrator' });
    expect(v).toMatchObject({ gate: 'security_scan', verdict: 'pass', attempt: 1, trace_id: scan.traceId, requirements: [{ ok: true, span_id: scan.spanId }] });
    const metrics = await renderMetricDefs(spanMetrics(relay.spans));
    expect(metrics).toMatch(/^xray_gate_checks_total 1$/m);
    expect(metrics).toMatch(/^xray_gate_passes_total 1$/m);
    expect(metrics).toMatch(/^xray_span_index_updates_total [1-9]/m);
    const events = (await relay.log.read({ traceId: scan.traceId, kinds: ['gate.check'] })) as EventOf<'gate.check'>[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ agent: 'orchestrator', span_id: v.check_span_id, data: { gate: 'security_scan', verdict: 'pass', attempt: 1, evidence: [{ span_id: scan.spanId }] } });
  });

  it('[C4] refuses every kind of missing or bad evidence, each with its reason', async () => {
    const clean = await exportScan(relay.url, 0);
    const dirty = await exportScan(relay.url, 4);
    const misnamed = await exportScan(relay.url, 0, { name: 'lint_complete' });
    const old = await exportScan(relay.url, 0, { endedAgoMs: 3_600_000 });
    const impostor = await exportScan(relay.url, 0, { service: 'orchestrator' });
    const cases: [string, string, unknown, RegExp][] = [
      ['no evidence', 'security_scan', { evidence: [] }, /no evidence cited/],
      ['unknown span id', 'security_scan', { evidence: [{ span_id: mintSpanId() }] }, /was not recorded by the pipeline/],
      ['forged: a real span id in a trace it is not in', 'security_scan', { evidence: [{ span_id: clean.spanId, trace_id: dirty.traceId }] }, /was not recorded by the pipeline/],
      ['wrong name', 'security_scan', { evidence: [{ span_id: misnamed.spanId }] }, /is "lint_complete", not "security_scan_complete"/],
      ['wrong attribute value', 'security_scan', { evidence: [{ span_id: dirty.spanId }] }, /vulnerabilities.critical is 4, required 0/],
      ['stale', 'fresh_scan', { trace_id: old.traceId, evidence: [{ span_id: old.spanId }] }, /is 60m old; max_age 10m/],
      ['wrong trace', 'fresh_scan', { trace_id: dirty.traceId, evidence: [{ span_id: clean.spanId }] }, /is in trace .*, not /],
      ['not the scanner\'s span', 'fresh_scan', { trace_id: impostor.traceId, evidence: [{ span_id: impostor.spanId }] }, /does not match span\[agent="security-scanner"\]/],
      ['one of several requirements unmet', 'release', { evidence: [{ span_id: clean.spanId }] }, /no evidence|tests_complete/],
    ];
    for (const [name, gate, body, reason] of cases) {
      const v = await check(gate, body);
      expect(v.verdict, name).toBe('fail');
      const failed = v.requirements.find((r) => !r.ok)!;
      expect(failed.reason, name).toMatch(reason);
    }
    // The same evidence that failed above in the wrong trace passes in its own.
    expect((await check('fresh_scan', { trace_id: clean.traceId, evidence: [{ span_id: clean.spanId }] })).verdict).toBe('pass');
  });

  it('[C4] counts attempts per gate and trace, and the first-attempt pass rate per gate', async () => {
    const a = await exportScan(relay.url, 2);
    const b = await exportScan(relay.url, 0);
    const first = await check('security_scan', { trace_id: a.traceId, evidence: [{ span_id: a.spanId }] });
    const second = await check('security_scan', { trace_id: a.traceId, evidence: [{ span_id: b.spanId }] });
    const other = await check('security_scan', { trace_id: b.traceId, evidence: [{ span_id: b.spanId }] });
    expect([first.attempt, first.verdict, second.attempt, second.verdict, other.attempt, other.verdict]).toEqual([1, 'fail', 2, 'pass', 1, 'pass']);
    const gates = (await (await fetch(`${relay.url}/v1/gates`)).json()).gates;
    expect(gates[0].stats).toEqual({ checks: 3, passes: 2, first_attempts: 2, first_attempt_passes: 1, first_attempt_pass_rate: 0.5 });
    const api = await startTestApi(relay);
    try {
      const checks = (await (await fetch(`${api.url}/api/gates/checks?gate=security_scan`)).json()).checks;
      expect(checks.map((c: { attempt: number; verdict: string }) => [c.attempt, c.verdict])).toEqual([
        [1, 'pass'],
        [2, 'pass'],
        [1, 'fail'],
      ]);
      expect(checks[2].requirements[0].reason).toMatch(/vulnerabilities.critical is 2/);
    } finally {
      await api.close();
    }
  });

  it('[G6] unknown gate is 404 unknown_gate; bad bodies are refused and nothing is stored', async () => {
    const head = (await relay.log.head());
    const unknown = await postJson(`${relay.url}/v1/gates/nope/check`, { evidence: [] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_gate');
    const hostile = await postJson(`${relay.url}/v1/gates/__proto__/check`, { evidence: [] });
    expect(hostile.body.error.code).toBe('unknown_gate');
    const weird = await postJson(`${relay.url}/v1/gates/${encodeURIComponent('%E0%A4%A')}/check`, {});
    expect(weird.status).toBe(404);
    expect((await fetch(`${relay.url}/v1/gates/security_scan/check`)).status).toBe(405);
    for (const body of [{ evidence: 'all good' }, { evidence: [{ span_id: 'not-hex' }] }, { evidence: [{ span_id: mintSpanId(), extra: 1 }] }, { evidence: Array.from({ length: 33 }, () => ({ span_id: mintSpanId() })) }, '{"evidence":']) {
      const r = await postJson(`${relay.url}/v1/gates/security_scan/check`, body);
      expect(r.status).toBe(400);
    }
    expect(await relay.log.head()).toBe(head);
  });

  it('[C4] reloads the gate file on change, and keeps the last good gates when an edit is broken', async () => {
    fs.writeFileSync(gatesFile, `${GATES}  - name: deploy\n    span_name: canary_ok\n`);
    await waitFor(async () => (await (await fetch(`${relay.url}/v1/gates`)).json()).gates.length === 4, 8000, 'reload');
    fs.writeFileSync(gatesFile, 'gate_requirements: [{ name: broken }]');
    const body = await waitFor(async () => {
      const b = await (await fetch(`${relay.url}/v1/gates`)).json();
      return b.error ? b : null;
    }, 8000, 'reload error');
    expect(body.error).toMatch(/needs span_name/);
    expect(body.gates).toHaveLength(4);
  });
});
