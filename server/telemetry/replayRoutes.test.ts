import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ev } from '../testing/eventLogContract';
import { SqliteEventLog } from '../store/sqliteEventLog';
import { createReplayRoutes } from './replayRoutes';

function call(route: ReturnType<typeof createReplayRoutes>[string], query: string): Promise<{ events: { seq: number }[]; next_after: number; more: boolean }> {
  return new Promise((resolve) => {
    const res = { headersSent: false, writeHead: () => res, end: (body: string) => resolve(JSON.parse(body)) } as unknown as ServerResponse;
    void route({} as IncomingMessage, res, new URL(`http://relay/v1/events?${query}`));
  });
}

describe('GET /v1/events bounded scans [G6]', () => {
  it('[G6] an agent-only filter scans a bounded seq window per page, and paging by next_after still finds every match', async () => {
    const log = SqliteEventLog.inMemory();
    // 1,000 events, of which the sparse agent wrote three, far apart.
    await log.append(Array.from({ length: 1000 }, (_, i) => ev({ kind: 'token', agent: i === 10 || i === 500 || i === 990 ? 'sparse' : 'busy' })));
    const route = createReplayRoutes(log, 100)['GET /v1/events'];
    const first = await call(route, 'agent=sparse&after=0&limit=50');
    expect(first.events.map((e) => e.seq)).toEqual([11]);
    expect(first).toMatchObject({ next_after: 100, more: true });
    const seen: number[] = [];
    let after = 0;
    for (let pages = 0; pages < 20; pages++) {
      const page = await call(route, `agent=sparse&after=${after}&limit=50`);
      seen.push(...page.events.map((e) => e.seq));
      after = page.next_after;
      if (!page.more) break;
    }
    expect(seen).toEqual([11, 501, 991]);
    // Indexed filters (trace, topic) are not windowed: their work follows the matches.
    const all = await call(route, 'after=0&limit=5000');
    expect(all.events.length).toBe(1000);
    await log.close();
  });
});
