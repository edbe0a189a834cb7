import { describe, expect, it } from 'vitest';
import type { XrayEvent } from '../lib/protocol/events';
import { CommitPipeline, type CommitListener, type CommitSource } from './commitPipeline';
import { ev } from './testing/eventLogContract';
import { LogWriter } from './store/logWriter';
import { SqliteEventLog } from './store/sqliteEventLog';
import { COMMIT_STAGES } from './xray';

const batch = (...seqs: number[]) => seqs.map((seq) => ({ ...ev({ kind: 'broadcast', topic: 't', data: { payload: String(seq) } }), seq }) as unknown as XrayEvent);

/** A source a test drives by hand (the writer and a log tail look the same to the pipeline). */
function manualSource(): CommitSource & { emit(events: readonly XrayEvent[]): void; listeners: number } {
  const listeners = new Set<CommitListener>();
  return {
    onCommit(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit: (events) => listeners.forEach((l) => l(events)),
    get listeners() {
      return listeners.size;
    },
  };
}

describe('CommitPipeline', () => {
  it('[A2] runs the stages in the declared order, whatever order they were bound in', () => {
    const seen: string[] = [];
    const p = new CommitPipeline(['model', 'topics', 'sse', 'fanout']);
    p.bind('fanout', () => seen.push('fanout'));
    p.bind('sse', () => seen.push('sse'));
    p.bind('model', () => seen.push('model'));
    p.bind('topics', () => seen.push('topics'));
    const source = manualSource();
    p.attach(source);
    source.emit(batch(1));
    source.emit(batch(2));
    expect(seen).toEqual(['model', 'topics', 'sse', 'fanout', 'model', 'topics', 'sse', 'fanout']);
  });

  it('[A2] a stage that throws is caught, counted and reported; the stages after it still see the batch', () => {
    const reports: string[] = [];
    let now = 0;
    const p = new CommitPipeline(['first', 'broken', 'last'], { report: (l) => reports.push(l), now: () => now, reportEveryMs: 1000 });
    const got: number[][] = [];
    p.bind('first', (events) => got.push(events.map((e) => e.seq)));
    p.bind('broken', () => {
      throw new Error('boom');
    });
    p.bind('last', (events) => got.push(events.map((e) => e.seq)));
    expect(() => p.deliver(batch(1, 2))).not.toThrow();
    p.deliver(batch(3)); // within the report interval: counted, not printed
    now = 1500;
    p.deliver(batch(4));
    expect(got).toEqual([[1, 2], [1, 2], [3], [3], [4], [4]]);
    expect(p.failures).toBe(3);
    expect(p.stats()).toEqual([
      { name: 'first', bound: true, failures: 0, lastError: null },
      { name: 'broken', bound: true, failures: 3, lastError: 'boom' },
      { name: 'last', bound: true, failures: 0, lastError: null },
    ]);
    expect(reports).toHaveLength(2);
    expect(reports[0]).toMatch(/stage "broken" failed on seq 1–2; the other stages ran: Error: boom/);
    expect(reports[1]).toMatch(/seq 4.*\(1 more failures since the last report\)/);
  });

  it('[A2] a throwing stage never reaches the writer: the submit is still acknowledged and later commits still flow', async () => {
    const writer = await LogWriter.open(SqliteEventLog.inMemory());
    const p = new CommitPipeline(['broken', 'after'], { report: () => {} });
    const after: number[] = [];
    p.bind('broken', () => {
      throw new Error('consumer bug');
    });
    p.bind('after', (events) => after.push(...events.map((e) => e.seq)));
    p.attach(writer);
    const { lamport: _a, ...one } = ev({ kind: 'broadcast', topic: 't', data: { payload: 'a' } });
    const { lamport: _b, ...two } = ev({ kind: 'broadcast', topic: 't', data: { payload: 'b' } });
    const [r1] = await writer.submit([one]);
    const [r2] = await writer.submit([two]);
    expect([r1.seq, r2.seq]).toEqual([1, 2]);
    expect(after).toEqual([1, 2]);
    expect(p.failures).toBe(2);
    writer.close();
  });

  it('[A2] one consumer per declared stage: an unknown or doubly bound stage is a wiring error', () => {
    const p = new CommitPipeline(['a', 'b']);
    p.bind('a', () => {});
    expect(() => p.bind('a', () => {})).toThrow(/already bound/);
    expect(() => p.bind('c' as 'a', () => {})).toThrow(/no commit stage "c"; declared: a, b/);
    expect(() => new CommitPipeline(['x', 'x'])).toThrow(/declared twice/);
  });

  it('[A2] a stage handed out as a CommitSource binds when its consumer subscribes, and unbinds when it stops', () => {
    const p = new CommitPipeline(['model', 'alerts']);
    const seen: string[] = [];
    p.bind('model', () => seen.push('model'));
    const stop = p.source('alerts').onCommit(() => seen.push('alerts'));
    p.deliver(batch(1));
    stop();
    p.deliver(batch(2));
    expect(seen).toEqual(['model', 'alerts', 'model']);
    expect(p.stats().map((s) => s.bound)).toEqual([true, false]);
    p.source('alerts').onCommit(() => seen.push('alerts again')); // free again: a restarted consumer can rebind
    p.deliver(batch(3));
    expect(seen.slice(-2)).toEqual(['model', 'alerts again']);
  });

  it('[A2] is fed by any CommitSource, and detaches from it', () => {
    const source = manualSource();
    const p = new CommitPipeline(['only']);
    const seen: number[] = [];
    p.bind('only', (events) => seen.push(...events.map((e) => e.seq)));
    const detach = p.attach(source);
    source.emit(batch(7));
    detach();
    source.emit(batch(8));
    expect(seen).toEqual([7]);
    expect(source.listeners).toBe(0);
  });
});

describe('the process pipeline (xray.ts)', () => {
  it('[A2] is declared model → topic delivery → cluster calls → SSE → fanout, then the rest', () => {
    expect(COMMIT_STAGES.slice(0, 5)).toEqual(['model', 'topic delivery', 'cluster calls', 'sse', 'fanout']);
    expect([...COMMIT_STAGES].sort()).toEqual(['alerts', 'cluster calls', 'fanout', 'model', 'otlp export', 'session index', 'span index', 'sse', 'topic delivery']);
  });
});
