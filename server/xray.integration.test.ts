/**
 * The composition root wires every consumer of committed events into the one pipeline, in the
 * declared order (server/README.md "Commit pipeline"), in both process modes.
 */
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from './config';
import { tempDir, TestAgent, waitFor } from './testing/harness';
import { COMMIT_STAGES, startXray, type Xray } from './xray';

const ADMIN_TOKEN = 'xray-wiring-test-admin-token';
let xray: Xray | null = null;
afterEach(async () => {
  await xray?.close();
  xray = null;
});

const config = () => ({ ...loadConfig({ NODE_ENV: 'test', ADMIN_TOKEN, XRAY_OTLP_EXPORT_URL: 'http://127.0.0.1:9/v1/traces' }), port: 0, relayPort: 0, host: '127.0.0.1', dataDir: tempDir() });

it('[A2] the full process binds every declared stage, in the declared order, and /metrics counts failures per stage', async () => {
  xray = await startXray(config(), { next: false });
  const stats = xray.data.commits!.stats();
  expect(stats.map((s) => s.name)).toEqual([...COMMIT_STAGES]);
  expect(stats.filter((s) => !s.bound)).toEqual([]);
  // A committed event reaches the model (stage 1) and the dashboard's window (stage 4).
  const agent = await TestAgent.connect(`ws://127.0.0.1:${xray.data.relayPort}/ws`, 'wired');
  agent.send({ type: 'token', id: 'w-1', text: 'hi', ack: true });
  await agent.next((m) => m.type === 'ack');
  await agent.close();
  expect(xray.model.agents.has('wired')).toBe(true);
  await waitFor(() => xray!.observation!.dashboard.metrics.eventsIn >= 2, 5000, 'the fanout stage');
  const metrics = await (await fetch(`http://127.0.0.1:${xray.observation!.port}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
  for (const stage of COMMIT_STAGES) expect(metrics).toContain(`xray_commit_stage_failures_total{stage="${stage}"} 0`);
});

it('[A2] the relay-only process binds the same pipeline without the dashboard’s stages', async () => {
  xray = await startXray(config(), { dashboard: false });
  const unbound = xray.data.commits!.stats().filter((s) => !s.bound).map((s) => s.name);
  expect(unbound).toEqual(['fanout', 'session index']);
});
