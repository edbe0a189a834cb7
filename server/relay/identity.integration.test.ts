/**
 * Identity and ids (issue 11, class 6), against the real relay: idempotency ids belong to
 * their sender, so nobody can claim another's ids (G3) and nothing is acked that was not
 * stored for its sender; a REST `from` is a claim, never an identity; a resume cursor beyond
 * the log head is clamped so live delivery continues.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applyEvents, createSwarmModel, edgeKey } from '../../lib/model/swarmModel';
import type { RelayToAgent } from '../../lib/protocol/relay';
import type { XrayConfig } from '../config';
import { postJson, startTestRelay, TestAgent, waitFor } from '../testing/harness';
import { openSse } from '../testing/peers';

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: TestRelay;
const agents: TestAgent[] = [];

async function start(overrides: Partial<XrayConfig> = {}): Promise<TestRelay> {
  relay = await startTestRelay(overrides);
  return relay;
}
async function agent(name: string, register: Record<string, unknown> = {}): Promise<TestAgent> {
  const a = await TestAgent.connect(relay.wsUrl);
  agents.push(a);
  a.send({ type: 'register', name, ...register });
  await a.next((m) => m.type === 'registered');
  return a;
}
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await relay.close();
});

const T = 'd'.repeat(32);
const S = 'e'.repeat(16);

describe('[G3] idempotency ids are scoped to the sender', async () => {
  it('[G3] an id another agent sent first does not swallow my token: both stored, both acked; my own retry is stored once', async () => {
    await start();
    const alice = await agent('alice');
    const bob = await agent('bob');
    alice.send({ type: 'token', id: 'tok-1', text: 'from alice', ack: true });
    expect(await alice.next((m) => m.type === 'ack')).toEqual({ type: 'ack', ids: ['tok-1'] });
    bob.send({ type: 'token', id: 'tok-1', text: 'from bob', ack: true });
    expect(await bob.next((m) => m.type === 'ack')).toEqual({ type: 'ack', ids: ['tok-1'] });
    bob.send({ type: 'token', id: 'tok-1', text: 'from bob (retry)', ack: true });
    expect(await bob.next((m) => m.type === 'ack')).toEqual({ type: 'ack', ids: ['tok-1'] });
    const stored = (await relay.log.read({ kinds: ['token'] })).map((e) => [e.id, e.agent, (e.data as { text: string }).text]);
    expect(stored).toEqual([
      ['tok-1', 'alice', 'from alice'],
      ['tok-1', 'bob', 'from bob'],
    ]);
  });

  it('[G3] a broadcast id is the sender’s own: another agent’s message with the same id is stored and delivered too', async () => {
    await start();
    const listener = await agent('listener');
    listener.send({ type: 'subscribe', topic: 'news' });
    const alice = await agent('alice');
    const bob = await agent('bob');
    await waitFor(async () => (await relay.log.read({ kinds: ['subscribe'] })).length === 1, 2000, 'subscribed');
    alice.send({ type: 'broadcast', topic: 'news', payload: 'a', id: 'b-1', ack: true });
    await alice.next((m) => m.type === 'ack');
    bob.send({ type: 'broadcast', topic: 'news', payload: 'b', id: 'b-1', ack: true });
    await bob.next((m) => m.type === 'ack');
    const got = [await listener.next((m) => m.type === 'message'), await listener.next((m) => m.type === 'message')] as Extract<RelayToAgent, { type: 'message' }>[];
    expect(got.map((m) => [m.from, m.payload])).toEqual([
      ['alice', 'a'],
      ['bob', 'b'],
    ]);
  });

  it('[G3] a WebSocket agent cannot pre-claim an OTLP span’s ids: the span is stored when it is exported', async () => {
    await start();
    const squatter = await agent('squatter');
    squatter.send({ type: 'frames', ack: true, frames: [
      { type: 'token', id: `otlp-${T}-${S}-start`, text: 'mine' },
      { type: 'token', id: `otlp-${T}-${S}-end`, text: 'mine too' },
    ] });
    await squatter.next((m) => m.type === 'ack');
    const otlp = {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'planner' } }] },
        scopeSpans: [{ spans: [{ traceId: T, spanId: S, name: 'plan', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000500000000' }] }],
      }],
    };
    expect((await postJson(`${relay.url}/v1/traces`, otlp)).status).toBe(200);
    const spans = (await relay.log.read({ traceId: T })).map((e) => [e.kind, e.agent]);
    expect(spans).toEqual([
      ['span.start', 'planner'],
      ['span.end', 'planner'],
    ]);
    // The exporter's own retry is still stored once.
    expect((await postJson(`${relay.url}/v1/traces`, otlp)).status).toBe(200);
    expect(await relay.log.read({ traceId: T })).toHaveLength(2);
  });

  it('[G3] with agent keys, an exporter holding another key cannot pre-claim a span of the same service: both exports are stored', async () => {
    const [K1, K2] = ['first-agent-key-000', 'second-agent-key-00'];
    await start({ relayKeys: new Set([K1, K2]) });
    const span = (name: string) => ({
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'planner' } }] },
        scopeSpans: [{ spans: [{ traceId: T, spanId: S, name, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000500000000' }] }],
      }],
    });
    expect((await postJson(`${relay.url}/v1/traces`, span('forged first'), { authorization: `Bearer ${K2}` })).status).toBe(200);
    expect((await postJson(`${relay.url}/v1/traces`, span('real'), { authorization: `Bearer ${K1}` })).status).toBe(200);
    const names = (await relay.log.read({ traceId: T, kinds: ['span.start'] })).map((e) => (e.data as { name: string }).name);
    expect(names).toEqual(['forged first', 'real']);
  });

  it('[G3] with agent keys the scope is (key, name): a holder of another key registering the same name later cannot claim its ids; the same key over REST can retry them', async () => {
    const [K1, K2] = ['first-agent-key-000', 'second-agent-key-00'];
    await start({ relayKeys: new Set([K1, K2]) });
    const first = await agent('alice', { key: K1 });
    first.send({ type: 'token', id: 'k-1', text: 'first alice', ack: true });
    await first.next((m) => m.type === 'ack');
    await first.close();
    await waitFor(() => !relay.relay.isConnected('alice'), 2000, 'name freed');
    const second = await agent('alice', { key: K2 });
    second.send({ type: 'token', id: 'k-1', text: 'second alice', ack: true });
    expect(await second.next((m) => m.type === 'ack')).toMatchObject({ ids: ['k-1'] });
    // REST frames under K1 and the name alice are the first alice's retry: answered as a duplicate.
    const retry = await postJson(`${relay.url}/v1/frames`, [{ type: 'token', id: 'k-1', text: 'first alice (retry)' }], { authorization: `Bearer ${K1}`, 'x-agent-name': 'alice' });
    expect(retry.body).toMatchObject({ stored: 0, duplicates: 1 });
    expect((await relay.log.read({ kinds: ['token'] })).map((e) => (e.data as { text: string }).text)).toEqual(['first alice', 'second alice']);
  });
});

describe('REST `from` is a claim, not an identity', async () => {
  it('[G7] POST /v1/broadcast with a connected agent’s name in `from` is stored as REST with from_unverified, and not attributed to that agent', async () => {
    await start();
    const alice = await agent('alice');
    alice.send({ type: 'subscribe', topic: 'orders' });
    await waitFor(async () => (await relay.log.read({ kinds: ['subscribe'] })).length === 1, 2000, 'subscribed');
    const r = await postJson(`${relay.url}/v1/broadcast`, { topic: 'orders', payload: 'buy', from: 'alice' });
    expect(r.status).toBe(200);
    const [stored] = (await relay.log.read({ kinds: ['broadcast'] }));
    expect(stored).toMatchObject({ agent: 'rest', data: { payload: 'buy', from_unverified: 'alice' } });
    expect(await alice.next((m) => m.type === 'message')).toMatchObject({ from: 'rest', payload: 'buy' });
    const model = createSwarmModel(0);
    applyEvents(model, (await relay.log.read({})));
    expect([...model.edges.values()].filter((e) => e.to === 'alice')).toEqual([]);
    expect(model.edges.get(edgeKey('topic', 'orders', 'rest'))).toMatchObject({ kind: 'topic' });
  });

  it('[G7] POST /v1/call with `from` calls as REST: the worker and the log see the REST principal, the claim kept as from_unverified', async () => {
    await start();
    const worker = await agent('worker');
    await agent('alice');
    worker.ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.type === 'inbound_call') worker.send({ type: 'call_response', correlation_id: m.correlation_id, payload: 'done' });
    });
    const r = await postJson(`${relay.url}/v1/call`, { to: 'worker', method: 'm', payload: 'p', from: 'alice' });
    expect(r.status).toBe(200);
    expect(await worker.next((m) => m.type === 'inbound_call')).toMatchObject({ from: 'rest' });
    const [req] = (await relay.log.read({ kinds: ['call.request'] }));
    expect(req).toMatchObject({ agent: 'rest', peer: 'worker', data: { from_unverified: 'alice' } });
  });
});

describe('resume cursors beyond the head are clamped', () => {
  it('[G6] SSE with Last-Event-ID (or ?after=) beyond the log head still delivers every new message live', async () => {
    await start();
    await postJson(`${relay.url}/v1/broadcast`, { topic: 'live', payload: 'old' });
    const head = (await relay.log.head());
    const byHeader = await openSse(relay.url, 'live', '127.0.0.1', { 'last-event-id': String(head + 1_000_000) });
    const byQuery = await openSse(relay.url, 'live', '127.0.0.1', {}, `after=${head + 1_000_000}`);
    try {
      expect([byHeader.status, byQuery.status]).toEqual([200, 200]);
      for (const p of ['new-1', 'new-2']) expect((await postJson(`${relay.url}/v1/broadcast`, { topic: 'live', payload: p })).status).toBe(200);
      await waitFor(() => byHeader.data().length === 2 && byQuery.data().length === 2, 3000, 'live delivery after a clamped cursor');
      expect(byHeader.data()).toEqual(['new-1', 'new-2']); // nothing old replayed, nothing new skipped
      expect(byQuery.data()).toEqual(['new-1', 'new-2']);
    } finally {
      byHeader.close();
      byQuery.close();
    }
  });

  it('[G6] /v1/events?after= beyond the head answers next_after = head, so following it misses nothing', async () => {
    await start();
    await postJson(`${relay.url}/v1/broadcast`, { topic: 'replay', payload: 'x' });
    const head = (await relay.log.head());
    const page = await (await fetch(`${relay.url}/v1/events?after=${head + 500}`)).json();
    expect(page).toMatchObject({ events: [], next_after: head, head });
    await postJson(`${relay.url}/v1/broadcast`, { topic: 'replay', payload: 'y' });
    const next = await (await fetch(`${relay.url}/v1/events?after=${page.next_after}`)).json();
    expect(next.events.map((e: { data: { payload: string } }) => e.data.payload)).toEqual(['y']);
  });
});
