/**
 * `Relay` over in-memory connections (TestSocketPair) and an in-memory log: every defined
 * outcome of SPEC.md's R rules, without a socket or a port. The same outcomes over real
 * sockets and REST are in relay.integration.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RelayToAgent } from '../../lib/protocol/relay';
import { LIMITS } from '../../lib/protocol/limits';
import { LogWriter, type LogWriterOptions } from '../store/logWriter';
import { SqliteEventLog } from '../store/sqliteEventLog';
import { injectWriteFaults } from '../store/writeFaults';
import { settle, TestSocketPair } from '../testing/testSocketPair';
import { Relay, type RelayOptions } from './relay';

type InboundCall = Extract<RelayToAgent, { type: 'inbound_call' }>;
type CallResult = Extract<RelayToAgent, { type: 'call_result' }>;

const opened: { relay: Relay; writer: LogWriter }[] = [];

/** A relay over an in-memory log; `failWrites` makes the log's writes throw as on a full disk while it is true. */
async function setup(options: RelayOptions = {}, writerOptions: LogWriterOptions = {}) {
  const fault = { failing: false };
  const log = injectWriteFaults(SqliteEventLog.inMemory(), () => fault.failing);
  const writer = await LogWriter.open(log, writerOptions);
  const relay = new Relay(writer, options);
  writer.onCommit((events) => relay.deliverTopicMessages(events));
  opened.push({ relay, writer });
  const register = (name: string, address?: string) => TestSocketPair.register(relay, name, address);
  const kinds = async () => (await log.read({ after: 0, limit: 10_000 })).map((e) => e.kind);
  return { log, writer, relay, register, kinds, fault };
}

afterEach(() => {
  vi.useRealTimers();
  for (const { relay, writer } of opened.splice(0)) {
    relay.shutdown();
    writer.close();
  }
});

const isResult = (m: RelayToAgent) => m.type === 'call_result';
const isInbound = (m: RelayToAgent) => m.type === 'inbound_call';

describe('calls', () => {
  it('[R1] a worker’s answer reaches the caller as call_result, in the caller’s trace, request and response stored', async () => {
    const { register, log } = await setup();
    const orch = register('orch');
    const worker = register('worker');
    orch.send({ type: 'call', ref: 'r1', to: 'worker', method: 'plan', payload: '{"q":1}' });
    const call = worker.takeWhere<InboundCall>(isInbound)!;
    expect(call).toMatchObject({ from: 'orch', method: 'plan', payload: '{"q":1}' });
    worker.send({ type: 'call_response', correlation_id: call.correlation_id, payload: 'done' });
    const result = await orch.next<CallResult>(isResult);
    expect(result).toMatchObject({ ref: 'r1', payload: 'done', correlation_id: call.correlation_id, trace_id: call.trace_id, span_id: call.span_id });
    expect(result.error).toBeUndefined();
    expect((await log.read({ traceId: call.trace_id })).map((e) => e.kind)).toEqual(['call.request', 'call.response']);
  });

  it('[R2] a call to a name nobody holds is answered unknown_target, and no call is stored', async () => {
    const { register, kinds } = await setup();
    const orch = register('orch');
    orch.send({ type: 'call', ref: 'r1', to: 'nobody', method: 'm', payload: '' });
    const result = await orch.next<CallResult>(isResult);
    expect(result).toMatchObject({ ref: 'r1', error: { code: 'unknown_target' } });
    await settle();
    expect(await kinds()).toEqual(['agent.register']);
  });

  it('[R3] a second live registration of a name gets name_taken; the first keeps it; the name frees on disconnect', async () => {
    const { relay, register } = await setup();
    const first = register('worker');
    const second = TestSocketPair.connect(relay);
    second.send({ type: 'register', name: 'worker' });
    expect(second.take()).toMatchObject({ type: 'error', code: 'name_taken' });
    // Calls still reach the first holder.
    const orch = register('orch');
    orch.send({ type: 'call', ref: 'r', to: 'worker', method: 'm', payload: 'p' });
    expect(first.takeWhere(isInbound)).toBeDefined();
    expect(second.takeWhere(isInbound)).toBeUndefined();
    first.disconnect();
    second.send({ type: 'register', name: 'worker' });
    expect(second.take()).toEqual({ type: 'registered', name: 'worker' });
  });

  it('[R3] a connection cannot register twice (already_registered)', async () => {
    const { register } = await setup();
    const a = register('a');
    a.send({ type: 'register', name: 'b' });
    expect(a.take()).toMatchObject({ type: 'error', code: 'already_registered' });
  });

  it('[R4] the worker disconnecting mid-call answers worker_disconnected, stored as call.error', async () => {
    const { register, log } = await setup();
    const orch = register('orch');
    const worker = register('worker');
    orch.send({ type: 'call', ref: 'r1', to: 'worker', method: 'm', payload: 'p' });
    const call = worker.takeWhere<InboundCall>(isInbound)!;
    worker.disconnect();
    const result = await orch.next<CallResult>(isResult);
    expect(result).toMatchObject({ ref: 'r1', error: { code: 'worker_disconnected' }, trace_id: call.trace_id });
    const stored = await log.read({ traceId: call.trace_id });
    expect(stored.map((e) => e.kind)).toEqual(['call.request', 'call.error']);
    expect(stored[1].data).toMatchObject({ code: 'worker_disconnected' });
  });

  it('[R5] no answer in time is call_timeout; the late answer is refused with unknown_correlation and not stored', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // the call timer only: commits still run on setImmediate
    const { register, log } = await setup();
    const orch = register('orch');
    const worker = register('worker');
    orch.send({ type: 'call', ref: 'r1', to: 'worker', method: 'm', payload: 'p', timeout_ms: 5000 });
    const call = worker.takeWhere<InboundCall>(isInbound)!;
    vi.advanceTimersByTime(4999);
    await settle();
    expect(orch.takeWhere(isResult)).toBeUndefined();
    vi.advanceTimersByTime(1);
    const result = await orch.next<CallResult>(isResult);
    expect(result).toMatchObject({ ref: 'r1', error: { code: 'call_timeout' }, trace_id: call.trace_id });
    worker.send({ type: 'call_response', correlation_id: call.correlation_id, payload: 'too late' });
    expect(worker.take()).toMatchObject({ type: 'error', code: 'unknown_correlation', ref: call.correlation_id });
    await settle();
    expect((await log.read({ traceId: call.trace_id })).map((e) => e.kind)).toEqual(['call.request', 'call.timeout']);
    expect(orch.inbox).toEqual([]); // exactly one outcome
  });

  it('[R6] a worker error is relayed as worker_error with its message', async () => {
    const { register } = await setup();
    const orch = register('orch');
    const worker = register('worker');
    orch.send({ type: 'call', ref: 'r1', to: 'worker', method: 'm', payload: 'p' });
    const call = worker.takeWhere<InboundCall>(isInbound)!;
    worker.send({ type: 'call_response', correlation_id: call.correlation_id, error: 'no such task' });
    expect(await orch.next<CallResult>(isResult)).toMatchObject({ error: { code: 'worker_error', message: 'no such task' } });
  });

  it('[R5] only the agent that was called may answer a call', async () => {
    const { register } = await setup();
    const orch = register('orch');
    const worker = register('worker');
    const other = register('other');
    orch.send({ type: 'call', ref: 'r1', to: 'worker', method: 'm', payload: 'p' });
    const call = worker.takeWhere<InboundCall>(isInbound)!;
    other.send({ type: 'call_response', correlation_id: call.correlation_id, payload: 'forged' });
    expect(other.take()).toMatchObject({ type: 'error', code: 'unknown_correlation' });
    worker.send({ type: 'call_response', correlation_id: call.correlation_id, payload: 'real' });
    expect(await orch.next<CallResult>(isResult)).toMatchObject({ payload: 'real' });
  });

  it('[R7] an agent calling itself gets call_to_self and nothing is routed', async () => {
    const { register } = await setup();
    const a = register('a');
    a.send({ type: 'call', ref: 'r1', to: 'a', method: 'm', payload: '' });
    expect(await a.next<CallResult>(isResult)).toMatchObject({ ref: 'r1', error: { code: 'call_to_self' } });
    expect(a.takeWhere(isInbound)).toBeUndefined();
  });
});

describe('topics', () => {
  it('[R9] a broadcast reaches every subscriber of the topic with the exact payload and seq, only once durable', async () => {
    const { register, log } = await setup();
    const sender = register('sender');
    const subA = register('sub-a');
    const subB = register('sub-b');
    const bystander = register('bystander');
    subA.send({ type: 'subscribe', topic: 'news' });
    subB.send({ type: 'subscribe', topic: 'news' });
    bystander.send({ type: 'subscribe', topic: 'other' });
    const payload = 'line one\nline "two" ✓';
    sender.send({ type: 'broadcast', topic: 'news', payload, id: 'b-1', ack: true });
    // Not before the commit: subscribers only ever hear durable messages.
    expect(subA.takeWhere((m) => m.type === 'message')).toBeUndefined();
    const ack = await sender.next((m) => m.type === 'ack');
    expect(ack).toEqual({ type: 'ack', ids: ['b-1'] });
    const [stored] = await log.read({ topic: 'news', kinds: ['broadcast'] });
    for (const sub of [subA, subB]) expect(sub.takeWhere((m) => m.type === 'message')).toEqual({ type: 'message', topic: 'news', payload, seq: stored.seq, from: 'sender' });
    expect(bystander.takeWhere((m) => m.type === 'message')).toBeUndefined();
  });

  it('[R9] unsubscribe and disconnect stop delivery; a subscription is stored once', async () => {
    const { register, log } = await setup();
    const sender = register('sender');
    const sub = register('sub');
    const leaver = register('leaver');
    sub.send({ type: 'subscribe', topic: 't' });
    sub.send({ type: 'subscribe', topic: 't' }); // again: no second subscription, no second event
    leaver.send({ type: 'subscribe', topic: 't' });
    sender.send({ type: 'broadcast', topic: 't', payload: '1' });
    await settle();
    expect(sub.inbox.filter((m) => m.type === 'message')).toHaveLength(1);
    sub.send({ type: 'unsubscribe', topic: 't' });
    leaver.disconnect();
    sub.inbox.length = 0;
    const leaverSeen = leaver.sent.length;
    sender.send({ type: 'broadcast', topic: 't', payload: '2' });
    await settle();
    expect(sub.inbox).toEqual([]);
    expect(leaver.sent).toHaveLength(leaverSeen);
    expect((await log.read({ kinds: ['subscribe'] })).map((e) => e.agent)).toEqual(['sub', 'leaver']);
  });

  it('[G6] subscriptions per connection are bounded (too_many_subscriptions)', async () => {
    const { register } = await setup();
    const a = register('a');
    for (let i = 0; i < LIMITS.subscriptionsPerConnection; i++) a.send({ type: 'subscribe', topic: `t${i}` });
    expect(a.inbox).toEqual([]);
    a.send({ type: 'subscribe', topic: 'one-more' });
    expect(a.take()).toMatchObject({ type: 'error', code: 'too_many_subscriptions' });
  });
});

describe('frames', () => {
  it('[R10] frames are acked only after their commit, and then they are in the log', async () => {
    const { register, log } = await setup();
    const a = register('a');
    a.send({ type: 'frames', ack: true, frames: [{ type: 'token', id: 't-1', text: 'he' }, { type: 'token', id: 't-2', text: 'llo' }] });
    expect(a.takeWhere((m) => m.type === 'ack')).toBeUndefined(); // nothing is durable yet
    expect(await a.next((m) => m.type === 'ack')).toEqual({ type: 'ack', ids: ['t-1', 't-2'] });
    expect((await log.read({ kinds: ['token'] })).map((e) => e.id)).toEqual(['t-1', 't-2']);
  });

  it('[R10] acks of messages committed together leave as one ack per connection, after the commit', async () => {
    const { register, log } = await setup();
    const a = register('a');
    const b = register('b');
    for (let i = 1; i <= 3; i++) a.send({ type: 'token', id: `a-${i}`, text: 'x', ack: true });
    b.send({ type: 'token', id: 'b-1', text: 'y', ack: true });
    a.send({ type: 'token', id: 'a-4', text: 'not acked' }); // no ack asked: not in the ack
    expect(a.takeWhere((m) => m.type === 'ack')).toBeUndefined();
    expect(await a.next((m) => m.type === 'ack')).toEqual({ type: 'ack', ids: ['a-1', 'a-2', 'a-3'] });
    expect(await b.next((m) => m.type === 'ack')).toEqual({ type: 'ack', ids: ['b-1'] });
    expect(a.takeWhere((m) => m.type === 'ack')).toBeUndefined(); // one message, not one per frame
    expect((await log.read({ kinds: ['token'] })).map((e) => e.id)).toEqual(['a-1', 'a-2', 'a-3', 'b-1', 'a-4']);
  });
});

describe('ack hold', () => {
  it('[R10] a stream’s acks across commits wait for its later messages and leave together once none is owed, not after the hold', async () => {
    // One event per transaction: every message is its own commit. A 60 s hold the test would time out on.
    const { register, writer } = await setup({ ackHoldMs: 60_000 }, { maxBatch: 1 });
    const a = register('a');
    const b = register('b');
    for (let i = 1; i <= 3; i++) a.send({ type: 'token', id: `a-${i}`, text: 'x', ack: true });
    b.send({ type: 'token', id: 'b-1', text: 'y', ack: true });
    expect(await a.next((m) => m.type === 'ack')).toEqual({ type: 'ack', ids: ['a-1', 'a-2', 'a-3'] });
    expect(await b.next((m) => m.type === 'ack')).toEqual({ type: 'ack', ids: ['b-1'] });
    expect(writer.stats.batches).toBeGreaterThanOrEqual(4);
    // A sender awaiting each ack is never held: nothing else of it is in flight.
    a.send({ type: 'token', id: 'a-4', text: 'x', ack: true });
    expect(await a.next((m) => m.type === 'ack')).toEqual({ type: 'ack', ids: ['a-4'] });
  });

  it('[R10] [G8] a stream whose write fails gets its held acks, then the nack', async () => {
    const { register, fault, writer } = await setup({ ackHoldMs: 60_000 }, { maxBatch: 1 });
    // The store breaks right after 'ok-2' is committed, with 'fails' still queued behind it.
    writer.onCommit((events) => {
      if (events.some((e) => e.id === 'ok-2')) fault.failing = true;
    });
    const a = register('a');
    for (const id of ['ok-1', 'ok-2', 'fails']) a.send({ type: 'token', id, text: 'x', ack: true });
    const first = await a.next((m) => m.type === 'ack' || m.type === 'nack');
    const second = await a.next((m) => m.type === 'ack' || m.type === 'nack');
    expect([first, second]).toEqual([
      { type: 'ack', ids: ['ok-1', 'ok-2'] },
      { type: 'nack', ids: ['fails'], code: expect.any(String), reason: expect.any(String) },
    ]);
  });
});

describe('bad input', () => {
  it('[R8] a message before register gets not_registered and nothing is stored', async () => {
    const { relay, log } = await setup();
    const a = TestSocketPair.connect(relay);
    a.send({ type: 'broadcast', topic: 't', payload: 'p' });
    a.send({ type: 'subscribe', topic: 't' });
    a.send({ type: 'call', ref: 'r', to: 'x', method: 'm', payload: '' });
    a.send({ type: 'token', text: 'x' });
    expect(a.inbox.map((m) => m.type === 'error' && m.code)).toEqual(['not_registered', 'not_registered', 'not_registered', 'not_registered']);
    await settle();
    expect(await log.head()).toBe(0);
  });

  it('[G6] malformed, unknown, oversized and binary messages get their codes; nothing is stored; the connection and others keep working', async () => {
    const { relay, register, kinds } = await setup();
    const a = register('a');
    const b = register('b');
    const cases: [unknown, string][] = [
      ['{not json', 'bad_json'],
      [{ type: 'teleport' }, 'unknown_type'],
      [{ type: 'broadcast', topic: 'bad topic!', payload: 'p' }, 'invalid_message'],
      [{ type: 'register' }, 'invalid_message'],
      [{ noType: true }, 'invalid_message'],
      ['x'.repeat(LIMITS.wsMessageBytes + 1), 'too_large'],
    ];
    for (const [msg, code] of cases) {
      a.send(msg);
      expect(a.take(), JSON.stringify(msg).slice(0, 80)).toMatchObject({ type: 'error', code });
    }
    const session = relay.connect(new TestSocketPair().socket);
    expect(() => relay.handleMessage(session, Buffer.from('{}'), true)).not.toThrow();
    expect(relay.stats.rejected).toBe(cases.length + 1);
    await settle();
    expect(await kinds()).toEqual(['agent.register', 'agent.register']);
    // The same connection and the other one still work.
    b.send({ type: 'subscribe', topic: 't' });
    a.send({ type: 'broadcast', topic: 't', payload: 'still here' });
    expect(await b.next((m) => m.type === 'message')).toMatchObject({ payload: 'still here', from: 'a' });
    expect(a.isOpen).toBe(true);
  });

  it('[G6] names such as __proto__ and constructor are ordinary names', async () => {
    const { register } = await setup();
    const proto = register('__proto__');
    const ctor = register('constructor');
    ctor.send({ type: 'call', ref: 'r', to: '__proto__', method: 'm', payload: 'p' });
    const call = proto.takeWhere<InboundCall>(isInbound)!;
    expect(call.from).toBe('constructor');
    proto.send({ type: 'call_response', correlation_id: call.correlation_id, payload: 'ok' });
    expect(await ctor.next<CallResult>(isResult)).toMatchObject({ payload: 'ok' });
  });

  it('[G6] past its rate limit a connection gets rate_limited, counted; other connections are not affected', async () => {
    const { register, relay } = await setup({ rateLimit: { perSecond: 1, burst: 3 } });
    const noisy = register('noisy'); // the register message took one token
    const calm = register('calm');
    noisy.send({ type: 'subscribe', topic: 'a' });
    noisy.send({ type: 'subscribe', topic: 'b' });
    expect(noisy.inbox).toEqual([]);
    noisy.send({ type: 'subscribe', topic: 'c' });
    expect(noisy.take()).toMatchObject({ type: 'error', code: 'rate_limited' });
    expect(relay.stats.rateLimited).toBe(1);
    calm.send({ type: 'subscribe', topic: 'a' });
    expect(calm.inbox).toEqual([]);
  });

  it('[G6] a frames batch costs one token per frame, so a batch is no way around the limit; nothing of it is stored', async () => {
    const { register, kinds } = await setup({ rateLimit: { perSecond: 1, burst: 3 } });
    const a = register('a');
    a.send({ type: 'frames', ack: true, frames: [{ type: 'token', id: '1', text: 'a' }, { type: 'token', id: '2', text: 'b' }, { type: 'token', id: '3', text: 'c' }] });
    expect(a.take()).toMatchObject({ type: 'error', code: 'rate_limited' });
    await settle();
    expect(await kinds()).toEqual(['agent.register']);
    expect(a.sent.some((m) => m.type === 'ack')).toBe(false);
  });
});

describe('handleMessage dispatch', () => {
  it('[G7] a wrong key in register is refused (unauthorized) and ends the connection; the right key registers', async () => {
    const { relay, kinds } = await setup({ agentKeys: new Set(['right-key']) });
    const guesser = TestSocketPair.connect(relay);
    guesser.send({ type: 'register', name: 'a', key: 'wrong-key' });
    expect(guesser.take()).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect(guesser.closedBy).toEqual({ code: 1008, reason: 'agent key refused' });
    const agent = TestSocketPair.connect(relay);
    agent.send({ type: 'call', ref: 'r', to: 'x', method: 'm', payload: '' }); // no name and no key yet
    expect(agent.take()).toMatchObject({ type: 'error', code: 'not_registered' });
    agent.send({ type: 'register', name: 'a', key: 'right-key' });
    expect(agent.take()).toEqual({ type: 'registered', name: 'a' });
    await settle();
    expect(await kinds()).toEqual(['agent.register']);
  });

  it('[R10] a refused frame that asked for an ack is nacked with its ids, never acked', async () => {
    const { relay } = await setup();
    const a = TestSocketPair.connect(relay);
    a.send({ type: 'frames', ack: true, frames: [{ type: 'token', id: 't-1', text: 'x' }] });
    expect(a.take()).toMatchObject({ type: 'nack', ids: ['t-1'], code: 'not_registered' });
    await settle();
    expect(a.sent.some((m) => m.type === 'ack')).toBe(false);
  });

  it('[G6] span.watch on a relay without span watches is refused with the watch id as ref', async () => {
    const { relay, register } = await setup();
    const a = register('a');
    a.send({ type: 'span.watch', id: 'w1', q: 'name = "x"' });
    expect(a.take()).toMatchObject({ type: 'error', code: 'unknown_type', ref: 'w1' });
    expect(relay.stats.rejected).toBe(1);
  });

  it('[R6] a worker error given as {code, message} is relayed as worker_error with its message', async () => {
    const { register } = await setup();
    const orch = register('orch');
    const worker = register('worker');
    orch.send({ type: 'call', ref: 'r1', to: 'worker', method: 'm', payload: 'p' });
    const call = worker.takeWhere<InboundCall>(isInbound)!;
    worker.send({ type: 'call_response', correlation_id: call.correlation_id, error: { code: 'x', message: 'disk on fire' } });
    expect(await orch.next<CallResult>(isResult)).toMatchObject({ error: { code: 'worker_error', message: 'disk on fire' } });
  });

  it('[R4] a close from the relay’s side (shutdown) does the bookkeeping once: the transport’s later close changes nothing', async () => {
    const { relay, register, log } = await setup();
    const a = register('a');
    a.send({ type: 'subscribe', topic: 't' });
    relay.shutdown();
    expect(a.closedBy).toEqual({ code: 1001, reason: 'relay shutting down' });
    expect(relay.isConnected('a')).toBe(false);
    a.disconnect(); // the socket's close event arrives later
    await settle();
    expect((await log.read({ kinds: ['agent.disconnect'] })).map((e) => e.agent)).toEqual(['a']);
  });
});

describe('a failing store', () => {
  it('[G8] refusals are coded, nothing uncommitted is acked, bookkeeping failures are counted, no promise is dropped', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { relay, register, log, fault } = await setup();
      const worker = register('worker');
      const sub = register('sub');
      sub.send({ type: 'subscribe', topic: 't' });
      await settle();
      const headBefore = await log.head();
      fault.failing = true;

      // Frames and broadcasts that ask for an ack get a coded nack and never an ack.
      worker.send({ type: 'frames', ack: true, frames: [{ type: 'token', id: 'f-1', text: 'x' }] });
      worker.send({ type: 'broadcast', topic: 't', payload: 'lost', id: 'b-1', ack: true });
      const nacks = [await worker.next((m) => m.type === 'nack'), await worker.next((m) => m.type === 'nack')];
      expect(nacks.map((n) => n.type === 'nack' && n.code)).toEqual(['storage_unavailable', 'storage_unavailable']);
      expect(worker.sent.some((m) => m.type === 'ack')).toBe(false);

      // Bookkeeping writes (register, subscribe, call request, disconnect) fail without a caller to tell: counted.
      const late = register('late'); // registration itself still works
      late.send({ type: 'subscribe', topic: 'u' });
      late.send({ type: 'call', ref: 'r1', to: 'worker', method: 'm', payload: 'p' });
      const call = worker.takeWhere<InboundCall>(isInbound)!;
      worker.send({ type: 'call_response', correlation_id: call.correlation_id, payload: 'answer' });
      // The answer cannot be recorded: the caller is told so with the storage code instead of a result nobody can find later.
      expect(await late.next<CallResult>(isResult)).toMatchObject({ ref: 'r1', error: { code: 'storage_unavailable' } });
      late.disconnect();
      await settle(20);
      expect(relay.stats.bookkeepingLost).toBeGreaterThanOrEqual(4);
      expect(await log.head()).toBe(headBefore);
      expect(sub.inbox.filter((m) => m.type === 'message')).toEqual([]);

      // Writes succeed again (the probe would do this on a real disk): ingest resumes on the same connections.
      fault.failing = false;
      relay.writer.health.recovered();
      worker.send({ type: 'broadcast', topic: 't', payload: 'back', id: 'b-2', ack: true });
      expect(await worker.next((m) => m.type === 'ack')).toEqual({ type: 'ack', ids: ['b-2'] });
      expect(await sub.next((m) => m.type === 'message')).toMatchObject({ payload: 'back' });
      await settle(5);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
