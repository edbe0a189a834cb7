/**
 * G6, exhaustion by one peer (issue 11, class 3), against the real relay: one client
 * address hogs its share of SSE streams, calls in flight, WebSocket connections and
 * unregistered sockets, and a client on another address is still served; sockets that never
 * register are closed with a coded error; slow headers and slow bodies are timed out.
 * Hog and bystander are told apart by loopback source address (127.0.0.2 / 127.0.0.3).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayToAgent } from '../lib/protocol/relay';
import { DEFAULT_PEER_LIMITS, type PeerLimits } from './config';
import { postJson, startTestRelay, TestAgent, waitFor } from './testing/harness';
import { BYSTANDER, HOG, openSse, openStream, openWs, rawConnect, trickle } from './testing/peers';

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: TestRelay | undefined;
const cleanup: (() => void | Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
  await relay?.close();
  relay = undefined;
});

async function start(limits: Partial<PeerLimits>): Promise<TestRelay> {
  relay = await startTestRelay({ limits: { ...DEFAULT_PEER_LIMITS, ...limits } });
  return relay;
}

/** A WS agent from a given source address that answers every call with `echo:<payload>` (or never, when `silent`). */
async function agentFrom(r: TestRelay, address: string, name: string, silent = false): Promise<WebSocket & { inbox: RelayToAgent[] }> {
  const { ws } = await openWs(r.wsUrl, address);
  if (!ws) throw new Error(`${name} refused`);
  const inbox: RelayToAgent[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as RelayToAgent;
    inbox.push(m);
    if (m.type === 'inbound_call' && !silent) ws.send(JSON.stringify({ type: 'call_response', correlation_id: m.correlation_id, payload: `echo:${m.payload}` }));
  });
  ws.send(JSON.stringify({ type: 'register', name }));
  await waitFor(() => inbox.some((m) => m.type === 'registered'), 3000, `${name} registered`);
  cleanup.push(() => ws.close());
  return Object.assign(ws, { inbox });
}

describe('[G6] fair shares per client address', () => {
  it('[G6] one address hogging its SSE share is refused too_many_connections while another address still subscribes and receives', async () => {
    const r = await start({ ssePerAddress: 3, sseTotal: 5 });
    const hog = await Promise.all([1, 2, 3].map(() => openSse(r.url, 'news', HOG)));
    cleanup.push(() => hog.forEach((s) => s.close()));
    expect(hog.map((s) => s.status)).toEqual([200, 200, 200]);
    const fourth = await openSse(r.url, 'news', HOG);
    expect(fourth.status).toBe(429);
    await waitFor(() => fourth.body.includes('too_many_connections'), 2000, 'refusal body');

    const bystander = await openSse(r.url, 'news', BYSTANDER);
    cleanup.push(() => bystander.close());
    expect(bystander.status).toBe(200);
    expect((await postJson(`${r.url}/v1/broadcast`, { topic: 'news', payload: 'hello' })).status).toBe(200);
    await waitFor(() => bystander.data().includes('hello'), 3000, 'bystander receives');
    expect(r.relay.peers.sse.refused.address).toBe(1);

    // The hog's slot comes back when one of its streams closes.
    hog[0].close();
    await waitFor(() => r.relay.peers.sse.heldBy(HOG) === 2, 2000, 'slot released');
    const again = await openSse(r.url, 'news', HOG);
    cleanup.push(() => again.close());
    expect(again.status).toBe(200);
  });

  it('[G6] span watch streams draw on the same per-address SSE share: a hog is refused, another address still watches', async () => {
    const r = await start({ ssePerAddress: 2, sseTotal: 10 });
    const watch = `${r.url}/v1/spans/watch?q=${encodeURIComponent('span[name="x"]')}`;
    const hog = [await openSse(r.url, 'news', HOG), await openStream(watch, HOG)];
    cleanup.push(() => hog.forEach((s) => s.close()));
    expect(hog.map((s) => s.status)).toEqual([200, 200]);
    const third = await openStream(watch, HOG);
    expect(third.status).toBe(429);
    await waitFor(() => third.body.includes('too_many_connections'), 2000, 'refusal body');
    const bystander = await openStream(watch, BYSTANDER);
    cleanup.push(() => bystander.close());
    expect(bystander.status).toBe(200);
    // A closed watch gives its slot back.
    hog[1].close();
    await waitFor(() => r.relay.peers.sse.heldBy(HOG) === 1, 2000, 'slot released');
  });

  it('[G6] agents on one address parking calls use up only that address’s share: another address’s calls are still served', async () => {
    const r = await start({ callsPerAddress: 5, callsTotal: 8 });
    await agentFrom(r, '127.0.0.1', 'sink', true); // never answers: calls park until their timeout
    await agentFrom(r, '127.0.0.1', 'echo');
    const parkers = [await agentFrom(r, HOG, 'parker-1'), await agentFrom(r, HOG, 'parker-2')];
    for (let i = 0; i < 8; i++) {
      parkers[i % 2].send(JSON.stringify({ type: 'call', ref: `p${i}`, to: 'sink', method: 'm', payload: `${i}`, timeout_ms: 60_000 }));
    }
    const results = () => parkers.flatMap((p) => p.inbox.filter((m) => m.type === 'call_result')) as Extract<RelayToAgent, { type: 'call_result' }>[];
    await waitFor(() => results().length === 3, 3000, 'refusals past the share');
    expect(results().map((m) => m.error?.code)).toEqual(['too_many_pending', 'too_many_pending', 'too_many_pending']);
    expect(r.relay.calls.size).toBe(5);

    // A WS caller and a REST caller on another address are served.
    const other = await agentFrom(r, BYSTANDER, 'other-caller');
    other.send(JSON.stringify({ type: 'call', ref: 'o', to: 'echo', method: 'm', payload: 'hi' }));
    await waitFor(() => other.inbox.find((m) => m.type === 'call_result'), 3000, 'bystander call');
    expect(other.inbox.find((m) => m.type === 'call_result')).toMatchObject({ payload: 'echo:hi' });
    const rest = await postJson(`${r.url}/v1/call`, { to: 'echo', method: 'm', payload: 'rest' }); // from 127.0.0.1
    expect(rest.status).toBe(200);
    expect(rest.body.payload).toBe('echo:rest');
    expect(r.relay.peers.calls.refused.address).toBe(3);
  });

  it('[G6] agent WebSocket connections are capped per address at the upgrade (429 too_many_connections); another address connects', async () => {
    const r = await start({ wsPerAddress: 3 });
    for (let i = 0; i < 3; i++) await agentFrom(r, HOG, `hog-${i}`);
    const refused = await openWs(r.wsUrl, HOG);
    expect(refused.refused?.status).toBe(429);
    expect(JSON.parse(refused.refused!.body).error.code).toBe('too_many_connections');
    await agentFrom(r, BYSTANDER, 'bystander');
    expect(r.relay.agents().map((a) => a.name).sort()).toEqual(['bystander', 'hog-0', 'hog-1', 'hog-2']);
  });
});

describe('[G6] sockets that never register', () => {
  it('[G6] are capped per address, closed with register_timeout (4408) after the timeout, and free their slots', async () => {
    const r = await start({ wsUnregisteredPerAddress: 5, registerTimeoutMs: 800 });
    const idle = await Promise.all([1, 2, 3, 4, 5].map(() => openWs(r.wsUrl, HOG)));
    const sockets = idle.map((x) => x.ws!);
    const answers = sockets.map((ws) => {
      const got: { code?: string; close?: number } = {};
      ws.on('message', (d) => (got.code = JSON.parse(d.toString()).code));
      ws.on('close', (c) => (got.close = c));
      return got;
    });
    // The sixth unregistered socket from the same address is refused at the upgrade ...
    expect((await openWs(r.wsUrl, HOG)).refused?.status).toBe(429);
    // ... while another address connects and registers.
    await agentFrom(r, BYSTANDER, 'punctual');
    await waitFor(() => answers.every((a) => a.close !== undefined), 5000, 'idle sockets closed');
    expect(answers).toEqual(sockets.map(() => ({ code: 'register_timeout', close: 4408 })));
    expect(r.relay.peers.stats.registerTimeouts).toBe(5);
    await waitFor(() => r.relay.peers.unregistered.size === 0 && r.relay.peers.ws.heldBy(HOG) === 0, 2000, 'slots freed');
    // A registered agent is not closed by the timer.
    await new Promise((res) => setTimeout(res, 900));
    expect(r.relay.agents().map((a) => a.name)).toEqual(['punctual']);
  });
});

describe('[G6] slow peers on the relay port', () => {
  it('[G6] headers trickled in (slowloris) are timed out with 408 and the socket closed; others are served meanwhile', async () => {
    const r = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    const peer = await rawConnect(r.relayPort);
    void trickle(peer, ['GET /healthz HTTP/1.1\r\n', ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: 1\r\n`)], 100);
    expect((await fetch(`${r.url}/healthz`)).status).toBe(200);
    const openMs = await peer.closed;
    expect(peer.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(openMs).toBeLessThan(3000); // 40 × 100 ms of trickle would be 4 s without the timeout
  });

  it('[G6] a request body that stalls is refused 408 request_timeout and its connection dropped; nothing stored', async () => {
    const r = await start({ bodyIdleTimeoutMs: 400 });
    const head = (await r.log.head());
    const peer = await rawConnect(r.relayPort);
    peer.socket.write(`POST /v1/broadcast HTTP/1.1\r\nHost: localhost:${r.relayPort}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"topic":"t",`);
    await peer.closed;
    expect(peer.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(peer.received()).toContain('"request_timeout"');
    expect(r.relay.peers.stats.slowBodies).toBe(1);
    expect(await r.log.head()).toBe(head);
  });

  it('[G6] a body trickled just fast enough to dodge the idle timeout is still ended by the request timeout', async () => {
    const r = await start({ bodyIdleTimeoutMs: 1000, requestTimeoutMs: 1200, headersTimeoutMs: 1000 });
    const peer = await rawConnect(r.relayPort);
    peer.socket.write(`POST /v1/broadcast HTTP/1.1\r\nHost: localhost:${r.relayPort}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n`);
    void trickle(peer, Array.from({ length: 60 }, () => ' '), 100);
    const openMs = await peer.closed;
    expect(peer.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(openMs).toBeLessThan(5000); // the trickle alone would last 6 s
  });
});

describe('[G6] slot hogging does not hurt a well-behaved agent', () => {
  it('[G6] while one address hogs WS, unregistered, SSE, call and slow-header slots, an agent elsewhere streams acked tokens with ack p99 < 250 ms and event-loop delay p99 < 100 ms', { timeout: 30_000 }, async () => {
    const r = await start({ wsUnregisteredPerAddress: 20, ssePerAddress: 10, callsPerAddress: 50, registerTimeoutMs: 4000, headersTimeoutMs: 2000 });
    await agentFrom(r, '127.0.0.1', 'sink', true);
    const good = await TestAgent.connect(r.wsUrl, 'good-streamer');
    cleanup.push(() => good.close());
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();

    // The hog, all from one address: more sockets, streams and calls than its share allows (the
    // shares are small, so the refusals happen with few clients: the test process hosts them too).
    const hogging = (async () => {
      const parkers = await Promise.all([0, 1, 2].map((i) => agentFrom(r, HOG, `hog-parker-${i}`)));
      for (let i = 0; i < 75; i++) parkers[i % 3].send(JSON.stringify({ type: 'call', ref: `h${i}`, to: 'sink', method: 'm', payload: '', timeout_ms: 60_000 }));
      const sockets: Awaited<ReturnType<typeof openWs>>[] = [];
      cleanup.push(() => sockets.forEach((x) => x.ws?.terminate()));
      for (let i = 0; i < 3; i++) sockets.push(...(await Promise.all(Array.from({ length: 10 }, () => openWs(r.wsUrl, HOG)))));
      const streams: Awaited<ReturnType<typeof openSse>>[] = [];
      cleanup.push(() => streams.forEach((x) => x.close()));
      for (let i = 0; i < 3; i++) streams.push(...(await Promise.all(Array.from({ length: 5 }, () => openSse(r.url, 'hog', HOG)))));
      const slow = await Promise.all(Array.from({ length: 20 }, () => rawConnect(r.relayPort)));
      cleanup.push(() => slow.forEach((p) => p.socket.destroy()));
      await Promise.all(slow.map((p) => trickle(p, ['GET /healthz HTTP/1.1\r\n', 'X-A: 1\r\n', 'X-B: 1\r\n'], 300)));
      return { refusedWs: sockets.filter((x) => x.refused).length, refusedSse: streams.filter((x) => x.status === 429).length };
    })();

    // The well-behaved agent: one acked token every 10 ms for 3 s, latency send → ack.
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    good.ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.type === 'ack') for (const id of m.ids) latencies.push(performance.now() - (sentAt.get(id) ?? 0));
    });
    for (let i = 0; i < 300; i++) {
      const id = `good-${i}`;
      sentAt.set(id, performance.now());
      good.send({ type: 'token', id, text: `t${i} `, ack: true });
      await new Promise((res) => setTimeout(res, 10));
    }
    const hog = await hogging;
    await waitFor(() => latencies.length === 300, 5000, 'every token acked');
    loop.disable();
    latencies.sort((a, b) => a - b);
    const ackP99 = latencies[Math.floor(latencies.length * 0.99)];
    const loopP99 = loop.percentile(99) / 1e6;
    console.info(`[slot hogging] ack p99 ${ackP99.toFixed(1)} ms, event-loop delay p99 ${loopP99.toFixed(1)} ms, refused: ${hog.refusedWs} WS, ${hog.refusedSse} SSE`);
    expect(hog.refusedWs).toBe(10); // 30 unregistered sockets against a share of 20
    expect(hog.refusedSse).toBe(5);
    expect(r.relay.peers.calls.heldBy(HOG)).toBe(50);
    expect(ackP99).toBeLessThan(250);
    expect(loopP99).toBeLessThan(100);
    expect(await r.log.read({ kinds: ['token'] })).toHaveLength(300);
  });
});
