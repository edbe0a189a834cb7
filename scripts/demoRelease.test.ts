/**
 * The demo's release flow against a real relay with the shipped demo gates: the orchestrator
 * waits for the scanner by watching spans, refused claims (no evidence, wrong span) are
 * followed by a cited pass, and every merge is preceded by a passing gate.check in its trace.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventOf } from '../lib/protocol/events';
import { XrayAgent } from '../lib/sdk/xrayAgent';
import { startTestRelay, waitFor } from '../server/testing/harness';
import { DemoRelease } from './demoRelease';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe('demo release flow', async () => {
  it('[C7] merges only after the security_scan gate passes on cited evidence; bad claims are refused', async () => {
    const relay = await startTestRelay({ gatesFile: path.resolve(import.meta.dirname, 'demo-gates.yaml') });
    closers.push(() => relay.close());
    const orchestrator = XrayAgent.connect({ url: relay.wsUrl, name: 'orchestrator.relay' });
    closers.push(() => orchestrator.close(100));
    const demo = new DemoRelease(orchestrator, { relayUrl: relay.wsUrl, intervalMs: 150, noEvidenceRate: 0.35, wrongSpanRate: 0.35, criticalRate: 0.1 });
    closers.push(() => demo.stop());
    await demo.start();
    await waitFor(() => demo.stats.merged >= 2 && demo.stats.refused >= 2, 20_000, 'merges and refusals');
    await demo.stop();
    await orchestrator.flush();

    const read = async () => (await relay.log.read({ kinds: ['gate.check'], limit: 1000 })) as EventOf<'gate.check'>[];
    const isRefusedClaim = (c: EventOf<'gate.check'>) => c.data.verdict === 'fail' && c.data.attempt === 1 && /no evidence|is "release"/.test(c.data.requirements[0].reason);
    // Releases in flight when the demo stopped finish their retry.
    await waitFor(async () => {
      const all = await read();
      return all.filter(isRefusedClaim).every((r) => all.some((c) => c.trace_id === r.trace_id && c.data.attempt === 2));
    }, 10_000, 'retries of refused claims');
    const checks = await read();
    const refused = checks.filter(isRefusedClaim);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    for (const r of refused) {
      const retry = checks.find((c) => c.trace_id === r.trace_id && c.data.attempt === 2);
      expect(retry, 'a refused claim is retried with the scan span').toBeDefined();
    }
    const merges = (await relay.log.read({ kinds: ['span.start'], limit: 10_000 })).filter((e) => e.kind === 'span.start' && e.data.name === 'merge');
    expect(merges.length).toBeGreaterThanOrEqual(2);
    for (const m of merges) {
      const pass = checks.find((c) => c.trace_id === m.trace_id && c.data.verdict === 'pass');
      expect(pass, 'every merge has a passing gate check in its trace').toBeDefined();
      expect(pass!.seq).toBeLessThan(m.seq);
    }
    const stats = relay.spans.gates.info()[0].stats;
    expect(stats.first_attempt_pass_rate).not.toBeNull();
    expect(stats.first_attempt_pass_rate!).toBeLessThan(1);
  });
});
