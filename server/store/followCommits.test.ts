import { describe, expect, it } from 'vitest';
import { ev } from '../testing/eventLogContract';
import { slowEventLog } from '../testing/slowEventLog';
import { primeThenFollow } from './followCommits';
import { LogWriter } from './logWriter';
import { MemoryEventLog } from './memoryEventLog';
import { readAll } from './readPages';

const fresh = ({ lamport: _l, ...e }: ReturnType<typeof ev>) => e;

describe('primeThenFollow', () => {
  it('[G2] a consumer primed from a log that answers late sees every event once, in seq order, including commits made while it read', async () => {
    const inner = new MemoryEventLog();
    await inner.append(Array.from({ length: 30 }, () => ev({ kind: 'token' })));
    const { log } = slowEventLog(inner, { read: 20, other: 1 });
    const writer = await LogWriter.open(log);
    const seen: number[] = [];
    const follow = primeThenFollow(
      writer,
      async (head) => {
        for (const e of await readAll(log, { upTo: head }, { pageSize: 7 })) seen.push(e.seq);
      },
      (events) => seen.push(...events.map((e) => e.seq)),
    );
    await writer.submit([fresh(ev({ kind: 'token' })), fresh(ev({ kind: 'token' }))]); // committed while the priming reads are out
    expect(seen.length).toBeLessThan(32);
    await follow.ready;
    await writer.submit([fresh(ev({ kind: 'token' }))]);
    expect(seen).toEqual(Array.from({ length: 33 }, (_, i) => i + 1));
    follow.unsubscribe();
    await writer.submit([fresh(ev({ kind: 'token' }))]);
    expect(seen).toHaveLength(33);
    await writer.close();
  });

  it('a failed priming still hands over the commits held meanwhile, and ready rejects with its error', async () => {
    const writer = await LogWriter.open(new MemoryEventLog());
    const seen: number[] = [];
    let fail!: (e: Error) => void;
    const follow = primeThenFollow(writer, () => new Promise((_, reject) => (fail = reject)), (events) => seen.push(...events.map((e) => e.seq)));
    await writer.submit([fresh(ev({ kind: 'token' }))]);
    expect(seen).toEqual([]);
    fail(new Error('damaged page'));
    await expect(follow.ready).rejects.toThrow('damaged page');
    expect(seen).toEqual([1]);
    await writer.close();
  });
});
