/**
 * The SDK against the real relay: durability across restarts and crashes, and no duplicates.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EventOf } from '../protocol/events';
import { SqliteEventLog } from '../../server/store/sqliteEventLog';
import { freePort, startServerProcess, type ServerProcess } from '../../server/testing/serverProcess';
import { startTestRelay, tempDir, waitFor } from '../../server/testing/harness';
import { XrayAgent } from './xrayAgent';

const agents: XrayAgent[] = [];
const procs: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close(100)));
  for (const p of procs.splice(0)) p.child.kill('SIGKILL');
});

async function tokensIn(dataDir: string): Promise<EventOf<'token'>[]> {
  const log = SqliteEventLog.open(dataDir);
  try {
    return (await log.read({ kinds: ['token'], limit: 100_000 })) as EventOf<'token'>[];
  } finally {
    await log.close();
  }
}

describe('XrayAgent', () => {
  it('reconnects after the server restarts and re-sends its buffer, with no duplicates in the log', async () => {
    const port = await freePort();
    const dataDir = tempDir();
    let relay = await startTestRelay({ relayPort: port, dataDir });
    const agent = XrayAgent.connect({ url: `ws://127.0.0.1:${port}/ws`, name: 'streamer', reconnect: { baseMs: 50, maxMs: 200 } });
    agents.push(agent);
    await agent.ready();
    for (let i = 0; i < 20; i++) await agent.token(`a${i} `);
    await agent.flush();
    await relay.close();
    await waitFor(() => !agent.isReady, 5000, 'the agent to notice the restart');
    // While the relay is down, tokens wait in the bounded buffer.
    for (let i = 0; i < 30; i++) await agent.token(`b${i} `);
    expect(agent.pendingFrames).toBe(30);
    relay = await startTestRelay({ relayPort: port, dataDir });
    await agent.ready();
    await agent.flush();
    expect(agent.pendingFrames).toBe(0);
    const texts = ((await relay.log.read({ kinds: ['token'], limit: 1000 })) as EventOf<'token'>[]).map((e) => e.data.text);
    expect(texts).toEqual([...Array.from({ length: 20 }, (_, i) => `a${i} `), ...Array.from({ length: 30 }, (_, i) => `b${i} `)]);
    expect(agent.stats.reconnects).toBeGreaterThan(0);
    await relay.close();
  });

  it('gets no ack for frames the server received but never committed (SIGKILL), and re-sends them: stored exactly once', async () => {
    const port = await freePort();
    const dataDir = tempDir();
    const env = { RELAY_PORT: String(port), XRAY_DATA_DIR: dataDir };
    // Fault injection: every commit is held 5 s, so the kill lands between receive and commit.
    const slow = await startServerProcess({ ...env, XRAY_FAULT_COMMIT_DELAY_MS: '5000' });
    procs.push(slow);
    const agent = XrayAgent.connect({ url: `ws://127.0.0.1:${port}/ws`, name: 'crash-witness', reconnect: { baseMs: 50, maxMs: 200 }, ackTimeoutMs: 60_000 });
    agents.push(agent);
    await agent.ready(); // `registered` is sent before the register event commits
    for (let i = 0; i < 50; i++) await agent.token(`t${i}|`);
    await waitFor(() => agent.stats.framesSent >= 50, 5000, 'frames on the wire');
    await new Promise((r) => setTimeout(r, 300)); // let the server read them off the socket
    slow.child.kill('SIGKILL');
    await slow.exited;
    expect(agent.pendingFrames).toBe(50); // not one ack
    expect(await tokensIn(dataDir)).toHaveLength(0); // and indeed nothing durable

    const healthy = await startServerProcess(env);
    procs.push(healthy);
    await agent.ready();
    await agent.flush();
    const stored = await tokensIn(dataDir);
    expect(stored.map((e) => e.data.text).join('')).toBe(Array.from({ length: 50 }, (_, i) => `t${i}|`).join(''));
    expect(new Set(stored.map((e) => e.id)).size).toBe(50);
  });

  it('after a SIGKILL, everything that was acked is in the log, and retries after the restart add no duplicates', async () => {
    const port = await freePort();
    const dataDir = tempDir();
    const env = { RELAY_PORT: String(port), XRAY_DATA_DIR: dataDir };
    const first = await startServerProcess(env);
    procs.push(first);
    const agent = XrayAgent.connect({ url: `ws://127.0.0.1:${port}/ws`, name: 'steady', reconnect: { baseMs: 50, maxMs: 200 } });
    agents.push(agent);
    await agent.ready();
    const acked = new Set<string>();
    const ws = () => (agent as unknown as { ws: { on: (e: string, f: (d: Buffer) => void) => void } | null }).ws;
    ws()!.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.type === 'ack') for (const id of m.ids) acked.add(id);
    });
    const sending = (async () => {
      for (let i = 0; i < 3000; i++) await agent.token(`${i},`);
    })();
    await waitFor(() => acked.size > 200, 10_000, 'some acks');
    first.child.kill('SIGKILL');
    await first.exited;
    const afterCrash = new Set((await tokensIn(dataDir)).map((e) => e.id));
    for (const id of acked) expect(afterCrash.has(id)).toBe(true);

    procs.push(await startServerProcess(env));
    await sending;
    await agent.ready();
    await agent.flush();
    const stored = await tokensIn(dataDir);
    expect(stored).toHaveLength(3000);
    expect(new Set(stored.map((e) => e.id)).size).toBe(3000);
    expect(new Set(stored.map((e) => e.data.text)).size).toBe(3000);
  });
});
