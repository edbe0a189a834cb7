import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventOf } from '../../lib/protocol/events';
import { mintTraceId } from '../../lib/protocol/ids';
import { startTestRelay } from '../testing/harness';

type Relay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: Relay;
beforeEach(async () => {
  relay = await startTestRelay();
});
afterEach(async () => {
  await relay.close();
});

const postFrames = (body: string, type = 'application/json', agent: string | null = 'batch-agent') =>
  fetch(`${relay.url}/v1/frames`, { method: 'POST', headers: { 'content-type': type, ...(agent ? { 'x-agent-name': agent } : {}) }, body });

describe('POST /v1/frames', () => {
  it('stores a JSON array and NDJSON, answering after commit, each id once', async () => {
    const trace = mintTraceId();
    const frames = [0, 1, 2].map((i) => ({ type: 'token', id: `f${i}`, trace_id: trace, index: i, text: `w${i} ` }));
    const r1 = await postFrames(JSON.stringify(frames));
    expect(r1.status).toBe(200);
    expect(await r1.json()).toEqual({ ids: ['f0', 'f1', 'f2'], stored: 3, duplicates: 0 });
    const r2 = await postFrames(frames.map((f) => JSON.stringify(f)).join('\n') + '\n', 'application/x-ndjson');
    expect(await r2.json()).toEqual({ ids: ['f0', 'f1', 'f2'], stored: 0, duplicates: 3 });
    const stored = (await relay.log.read({ traceId: trace })) as EventOf<'token'>[];
    expect(stored.map((e) => e.data.text).join('')).toBe('w0 w1 w2 ');
    expect(stored.every((e) => e.agent === 'batch-agent')).toBe(true);
  });

  it('refuses a batch with one bad frame whole, and a missing agent name', async () => {
    const head = (await relay.log.head());
    const bad = await postFrames(JSON.stringify([{ type: 'token', text: 'ok' }, { type: 'token', text: 7 }]));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ code: 'invalid_message', message: expect.stringContaining('1.text') });
    const anon = await postFrames(JSON.stringify([{ type: 'token', text: 'ok' }]), 'application/json', null);
    expect(anon.status).toBe(400);
    const ndjson = await postFrames('{"type":"token","text":"a"}\n{oops', 'application/x-ndjson');
    expect(ndjson.status).toBe(400);
    expect((await ndjson.json()).error.message).toContain('line 2');
    expect(await relay.log.head()).toBe(head);
  });
});

describe('GET /v1/events', () => {
  it('pages through the log by seq with filters, so a late listener catches up', async () => {
    const trace = mintTraceId();
    await postFrames(JSON.stringify(Array.from({ length: 7 }, (_, i) => ({ type: 'token', trace_id: trace, text: `${i}` }))));
    await postFrames(JSON.stringify([{ type: 'token', text: 'other' }]));
    const seen: string[] = [];
    let after = 0;
    for (let page = 0; page < 10; page++) {
      const body = await (await fetch(`${relay.url}/v1/events?trace_id=${trace}&after=${after}&limit=3`)).json();
      seen.push(...body.events.map((e: EventOf<'token'>) => e.data.text));
      after = body.next_after;
      if (!body.more) break;
    }
    expect(seen.join('')).toBe('0123456');
    const bad = await fetch(`${relay.url}/v1/events?after=-1`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('invalid_message');
  });
});
