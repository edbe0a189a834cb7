import { describe, expect, it } from 'vitest';
import { EarlyFetches, readJson, type JsonReading } from './earlyFetch';

const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(ttl = 1000) {
  let now = 0;
  const calls: string[] = [];
  const early = new EarlyFetches(
    (url) => {
      calls.push(url);
      return Promise.resolve({ ok: true, status: 200, body: { of: url } });
    },
    ttl,
    () => now,
  );
  return { early, calls, advance: (ms: number) => (now += ms) };
}

describe('EarlyFetches', () => {
  it('[V8] hands a read started from a link to the first query for the same URL, once', async () => {
    const { early, calls } = setup();
    early.start('/api/traces/a/outline');
    early.start('/api/traces/a/outline'); // hover, then press: still one request
    expect(calls).toEqual(['/api/traces/a/outline']);
    const r = early.take('/api/traces/a/outline');
    expect((await r!).body).toEqual({ of: '/api/traces/a/outline' });
    expect(early.take('/api/traces/a/outline')).toBeUndefined(); // a body is read once
    expect(early.take('/api/traces/b/outline')).toBeUndefined();
  });

  it('[V8] a read older than the TTL is not handed out (the page fetches a fresh one)', async () => {
    const { early, calls, advance } = setup(1000);
    early.start('/x');
    await flush();
    advance(1001);
    expect(early.takeSettled('/x')).toBeUndefined();
    expect(early.take('/x')).toBeUndefined();
    early.start('/x');
    advance(10);
    expect(early.take('/x')).toBeDefined();
    expect(calls).toEqual(['/x', '/x']);
  });

  it('[V8] stale reads nobody took are forgotten when the next one starts; a failed read is not an unhandled rejection', async () => {
    let now = 0;
    const early = new EarlyFetches(() => Promise.reject(new Error('offline')), 1000, () => now);
    early.start('/a');
    now = 5000;
    early.start('/b');
    expect(early.take('/a')).toBeUndefined();
    await flush();
    expect(early.takeSettled('/b')).toBeUndefined(); // failed: left for take, which rejects as a fetch would
    await expect(early.take('/b')!).rejects.toThrow('offline');
  });

  it('[V8] a read that has arrived is handed out synchronously, once, with when it started; one under way is not', async () => {
    let resolve!: (r: JsonReading) => void;
    let now = 100;
    const early = new EarlyFetches(() => new Promise<JsonReading>((r) => (resolve = r)), 1000, () => now);
    early.start('/api/traces/a/outline');
    expect(early.takeSettled('/api/traces/a/outline')).toBeUndefined(); // still under way: stays for take
    resolve({ ok: true, status: 200, body: { nodes: {} } });
    await flush();
    now = 150;
    expect(early.takeSettled('/api/traces/a/outline')).toEqual({ body: { nodes: {} }, at: 100 });
    expect(early.takeSettled('/api/traces/a/outline')).toBeUndefined();
    expect(early.take('/api/traces/a/outline')).toBeUndefined();
  });

  it('[V8] an error answer is never taken as data: the query reads it through take and reports it', async () => {
    const early = new EarlyFetches(() => Promise.resolve({ ok: false, status: 404, body: { error: { code: 'not_found' } } }));
    early.start('/api/traces/z/outline');
    await flush();
    expect(early.takeSettled('/api/traces/z/outline')).toBeUndefined();
    expect((await early.take('/api/traces/z/outline')!).status).toBe(404);
  });

  it('[V8] readJson keeps the status beside the body, and a body that is not JSON reads as null', async () => {
    expect(await readJson(new Response('{"a":1}', { status: 201 }))).toEqual({ ok: true, status: 201, body: { a: 1 } });
    expect(await readJson(new Response('<html>', { status: 502 }))).toEqual({ ok: false, status: 502, body: null });
  });
});
