import { describe, expect, it } from 'vitest';
import { EarlyFetches } from './earlyFetch';

function setup(ttl = 1000) {
  let now = 0;
  const calls: string[] = [];
  const early = new EarlyFetches(
    (url) => {
      calls.push(url);
      return Promise.resolve(new Response(`body of ${url}`));
    },
    ttl,
    () => now,
  );
  return { early, calls, advance: (ms: number) => (now += ms) };
}

describe('EarlyFetches', () => {
  it('hands a read started from a link to the first query for the same URL, once', async () => {
    const { early, calls } = setup();
    early.start('/api/traces/a/outline');
    early.start('/api/traces/a/outline'); // hover, then press: still one request
    expect(calls).toEqual(['/api/traces/a/outline']);
    const r = early.take('/api/traces/a/outline');
    expect(await (await r!).text()).toBe('body of /api/traces/a/outline');
    expect(early.take('/api/traces/a/outline')).toBeUndefined(); // a body is read once
    expect(early.take('/api/traces/b/outline')).toBeUndefined();
  });

  it('a read older than the TTL is not handed out (the page fetches a fresh one)', () => {
    const { early, calls, advance } = setup(1000);
    early.start('/x');
    advance(1001);
    expect(early.take('/x')).toBeUndefined();
    early.start('/x');
    advance(10);
    expect(early.take('/x')).toBeDefined();
    expect(calls).toEqual(['/x', '/x']);
  });

  it('stale reads nobody took are forgotten when the next one starts; a failed read is not an unhandled rejection', async () => {
    let now = 0;
    const early = new EarlyFetches(() => Promise.reject(new Error('offline')), 1000, () => now);
    early.start('/a');
    now = 5000;
    early.start('/b');
    expect(early.take('/a')).toBeUndefined();
    await expect(early.take('/b')!).rejects.toThrow('offline');
  });
});
