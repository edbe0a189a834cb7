/**
 * The SDK's telemetry read-back against a real relay: query, watch (surviving a relay
 * restart without missing or repeating a span) and gate.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { XrayError } from '../protocol/errors';
import type { WireSpan } from '../protocol/spans';
import { freePort } from '../../server/testing/serverProcess';
import { startTestRelay, tempDir, waitFor } from '../../server/testing/harness';
import { exportScan } from '../../server/testing/otelScan';
import { XrayAgent } from './xrayAgent';

const agents: XrayAgent[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close(100)));
  for (const c of closers.splice(0)) await c();
});

const SELECTOR = 'span[name="security_scan_complete" vulnerabilities.critical=0]';

async function setup(port = 0, dataDir = tempDir()) {
  const gatesFile = path.join(dataDir, 'gates.yaml');
  fs.writeFileSync(gatesFile, 'gate_requirements:\n  - name: "security_scan"\n    evidence_type: "telemetry_span"\n    span_name: "security_scan_complete"\n    required_attributes:\n      - "vulnerabilities.critical: 0"\n');
  const relay = await startTestRelay({ relayPort: port, dataDir, gatesFile });
  return relay;
}

function connect(url: string, name: string, reconnect = { baseMs: 50, maxMs: 200 }): XrayAgent {
  const a = XrayAgent.connect({ url, name, reconnect });
  agents.push(a);
  return a;
}

describe('XrayAgent telemetry read-back', () => {
  it('[C5] query finds spans another agent recorded (with end attributes); a bad selector throws bad_selector with its position', async () => {
    const relay = await setup();
    closers.push(() => relay.close());
    const scanner = connect(relay.wsUrl, 'security-scanner');
    const orch = connect(relay.wsUrl, 'orchestrator');
    await Promise.all([scanner.ready(), orch.ready()]);
    let spanId = '';
    await scanner.span('security_scan_complete', async (s) => {
      spanId = s.spanId;
      s.setAttributes({ 'vulnerabilities.critical': 0 });
    }, { traceId: 'c'.repeat(32) });
    await scanner.flush();
    const r = await orch.query(SELECTOR);
    expect(r.spans.map((s) => [s.span_id, s.agent, s.attributes['vulnerabilities.critical']])).toEqual([[spanId, 'security-scanner', 0]]);
    const err = await orch.query('span[vulnerabilities.critical=]').catch((e: XrayError) => e);
    expect(err).toBeInstanceOf(XrayError);
    expect(err).toMatchObject({ code: 'bad_selector', details: { position: 30 } });
  });

  it('[C5] watch delivers matches live and resumes across a relay restart: nothing missed, nothing repeated', async () => {
    const port = await freePort();
    const dataDir = tempDir();
    let relay = await setup(port, dataDir);
    // A 4 s reconnect backoff: the restart and two exports below must land before the agent is
    // back, even on a loaded machine (1.5 s was once too short under the parallel suite).
    const orch = connect(`ws://127.0.0.1:${port}/ws`, 'orchestrator', { baseMs: 4000, maxMs: 4000 });
    await orch.ready();
    const seen: WireSpan[] = [];
    await orch.watch(SELECTOR, (span) => seen.push(span));
    const first = await exportScan(relay.url, 0);
    await exportScan(relay.url, 9); // never matches
    await waitFor(() => seen.length === 1, 5000, 'first match');
    await relay.close();
    relay = await setup(port, dataDir);
    closers.push(() => relay.close());
    // These land while the agent is still waiting to reconnect (4 s backoff).
    const missed = [await exportScan(relay.url, 0), await exportScan(relay.url, 0)];
    expect(orch.isReady).toBe(false);
    await orch.ready();
    const live = await exportScan(relay.url, 0);
    await waitFor(() => seen.length === 4, 15_000, 'resumed matches');
    expect(seen.map((s) => s.span_id)).toEqual([first.spanId, ...missed.map((m) => m.spanId), live.spanId]);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toHaveLength(4);
  });

  it('[C5] watch rejects a bad selector; unwatch stops delivery', async () => {
    const relay = await setup();
    closers.push(() => relay.close());
    const orch = connect(relay.wsUrl, 'orchestrator');
    await orch.ready();
    await expect(orch.watch('span[', () => undefined)).rejects.toMatchObject({ code: 'bad_selector' });
    const seen: string[] = [];
    const unwatch = await orch.watch('span[name="security_scan_complete"]', (s) => seen.push(s.span_id));
    await exportScan(relay.url, 0);
    await waitFor(() => seen.length === 1, 5000, 'match');
    unwatch();
    await new Promise((r) => setTimeout(r, 50));
    await exportScan(relay.url, 0);
    await waitFor(() => relay.spans.index.size === 4, 5000, 'indexed');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toHaveLength(1);
  });

  it('[C5] gate cites evidence and gets the verdict; an unknown gate throws unknown_gate', async () => {
    const relay = await setup();
    closers.push(() => relay.close());
    const orch = connect(relay.wsUrl, 'orchestrator');
    await orch.ready();
    const scan = await exportScan(relay.url, 0);
    const pass = await orch.gate('security_scan', [{ span_id: scan.spanId }], { traceId: scan.traceId });
    expect(pass).toMatchObject({ verdict: 'pass', attempt: 1, trace_id: scan.traceId });
    const fail = await orch.gate('security_scan', []);
    expect(fail).toMatchObject({ verdict: 'fail', requirements: [{ ok: false, reason: expect.stringMatching(/no evidence/) }] });
    await expect(orch.gate('merge_approval', [])).rejects.toMatchObject({ code: 'unknown_gate' });
    const recorded = (await relay.log.read({ kinds: ['gate.check'] }));
    expect(recorded.map((e) => e.agent)).toEqual(['orchestrator', 'orchestrator']);
  });
});
