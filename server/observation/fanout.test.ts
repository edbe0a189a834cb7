/**
 * `Fanout.tick(now)` over fake `DashboardPeer`s: no socket, no timer, the frame driven by
 * hand. Contiguity across ticks (F1), skipping a backed-up peer (F5) and the snapshot in
 * place of a delta for a peer that fell behind the window (F3). The same behaviour against
 * the real server and Socket.IO clients is in fanout.integration.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Delta, Scope, ServerToClientEvents, Snapshot } from '../../lib/protocol/dashboard';
import type { XrayEvent } from '../../lib/protocol/events';
import { applyEvents, createSwarmModel } from '../../lib/model/swarmModel';
import { ev } from '../testing/eventLogContract';
import { SqliteEventLog } from '../store/sqliteEventLog';
import { EventWindow } from './eventWindow';
import { Fanout, type DashboardPeer, type FanoutOptions } from './fanout';
import { FanoutMetrics } from './fanoutMetrics';

type Sent = { [E in keyof ServerToClientEvents]: { event: E; payload: Parameters<ServerToClientEvents[E]>[0] } }[keyof ServerToClientEvents];

class FakePeer implements DashboardPeer {
  readonly sent: Sent[] = [];
  /** What the transport has queued: a test raises it to stall the peer. */
  queued = 0;
  constructor(readonly id: string) {}
  backlog(): number {
    return this.queued;
  }
  send<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    this.sent.push({ event, payload: args[0] } as Sent);
  }
  deltas(): Extract<Delta, { kind: 'stream' }>[] {
    return this.sent.flatMap((s) => (s.event === 'delta' && s.payload.kind === 'stream' ? [s.payload] : []));
  }
  snapshots(): Extract<Snapshot, { kind: 'stream' }>[] {
    return this.sent.flatMap((s) => (s.event === 'snapshot' && s.payload.kind === 'stream' ? [s.payload] : []));
  }
}

const logs: SqliteEventLog[] = [];
afterEach(() => {
  for (const l of logs.splice(0)) l.close();
});

const AGENT: Scope = { kind: 'agent', name: 'writer' };

/** A fanout over an in-memory log, with `commit` doing what the pipeline does: log, then model, then fanout. */
function rig(options: FanoutOptions & { windowEvents?: number; windowBytes?: number } = {}) {
  const log = SqliteEventLog.inMemory();
  logs.push(log);
  const model = createSwarmModel(0);
  const metrics = new FanoutMetrics();
  const broadcasts: { peers: string[]; delta: Delta }[] = [];
  const fanout = new Fanout<FakePeer>(model, log, new EventWindow(options.windowEvents ?? 10_000, options.windowBytes), metrics, options, (peers, delta) => {
    broadcasts.push({ peers: peers.map((p) => p.id), delta });
    for (const p of peers) p.send('delta', delta);
  });
  const texts: string[] = [];
  /** Commits tokens by `agent` (the scoped agent by default) and returns their seqs. */
  const commit = async (count: number, agent = 'writer'): Promise<number[]> => {
    const stamped = Array.from({ length: count }, () => ev({ kind: 'token', agent, data: { text: `<${agent}:${texts.length + 1}>` } }));
    const results = await log.append(stamped);
    const committed = stamped.map((e, i) => ({ ...e, seq: results[i].seq }) as XrayEvent);
    for (const e of committed) if (e.kind === 'token') texts.push(e.data.text);
    applyEvents(model, committed);
    fanout.onCommit(committed);
    return committed.map((e) => e.seq);
  };
  let now = Date.now();
  const tick = () => fanout.tick((now += 33));
  const connect = (id: string, scope: Scope = AGENT, after: number | undefined = 0) => {
    const peer = new FakePeer(id);
    fanout.connect(peer);
    fanout.subscribe(peer, scope, after);
    return peer;
  };
  /** Text the writer sent, in order (what an agent-scoped stream must add up to). */
  const writerText = () => texts.filter((t) => t.startsWith('<writer:')).join('');
  return { log, model, metrics, fanout, commit, tick, connect, broadcasts, writerText };
}

/** Asserts deltas chain with no gap and no overlap, starting right after `start`; returns the last `to`. */
function expectContiguous(deltas: readonly { from: number; to: number }[], start: number): number {
  let at = start;
  for (const d of deltas) {
    expect(d.from, `delta ${d.from}–${d.to} after ${at}`).toBe(at + 1);
    expect(d.to).toBeGreaterThanOrEqual(d.from);
    at = d.to;
  }
  return at;
}

const textOf = (runs: readonly { text: [string | null, string | null, string, string, number][] }[]) => runs.flatMap((r) => r.text.map((t) => t[3])).join('');

const settle = async (turns = 10) => {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
};

describe('Fanout.tick over fake peers', () => {
  it('[F1] deltas are contiguous across ticks (no gap, no duplicate) and add up to exactly the scope’s events', async () => {
    const { commit, tick, connect, writerText, model } = rig({ maxDeltaEvents: 4 });
    const a = connect('a');
    const b = connect('b');
    for (let round = 0; round < 12; round++) {
      await commit(round % 3); // 0, 1 or 2 events: some ticks have nothing new
      if (round % 4 === 0) await commit(2, 'bystander'); // outside the scope: the cursor moves past them silently
      if (round === 5) await commit(11); // more than one delta carries: split over ticks
      tick();
    }
    for (let i = 0; i < 6; i++) tick(); // drain what is left
    for (const peer of [a, b]) {
      const deltas = peer.deltas();
      expect(deltas.length).toBeGreaterThan(3);
      expect(expectContiguous(deltas, 0)).toBe(model.seq);
      expect(textOf(deltas)).toBe(writerText());
      expect(deltas.every((d) => d.to - d.from < 4 + 2)).toBe(true); // bounded messages
    }
  });

  it('[F1] peers at the same scope and cursor share one delta, built and broadcast once', async () => {
    const { commit, tick, connect, broadcasts } = rig();
    const a = connect('a');
    const b = connect('b');
    const other = connect('c', { kind: 'agent', name: 'someone-else' });
    await commit(3);
    tick();
    const streamBroadcasts = broadcasts.filter((x) => x.delta.kind === 'stream' && x.delta.sub === 'agent:writer');
    expect(streamBroadcasts).toHaveLength(1);
    expect(streamBroadcasts[0].peers.sort()).toEqual(['a', 'b']);
    expect(a.deltas()[0]).toBe(b.deltas()[0]);
    // Nothing in its scope: its own (empty) delta, sent to it alone, so its cursor still moves on.
    expect(other.deltas()).toEqual([expect.objectContaining({ sub: 'agent:someone-else', from: 1, to: 3, text: [], events: [] })]);
  });

  it('[F5] [G5] a peer whose backlog is over the bound is skipped, counted; when it drains, one delta covers everything it missed', async () => {
    const { commit, tick, connect, metrics, fanout, writerText, model } = rig({ highWaterPackets: 16 });
    const fast = connect('fast');
    const slow = connect('slow');
    await commit(2);
    tick();
    const slowCursor = slow.deltas().at(-1)!.to;
    slow.queued = 17; // above the mark
    for (let i = 0; i < 5; i++) {
      await commit(3);
      tick();
    }
    expect(slow.deltas()).toHaveLength(1); // nothing while stalled
    expect(metrics.skippedForBackpressure).toBe(5);
    expect(Math.max(...fanout.lags())).toBe(model.seq - slowCursor); // its backlog costs a cursor, not a queue
    expect(fast.deltas()).toHaveLength(6);
    slow.queued = 16; // at the mark is not over it
    tick();
    const after = slow.deltas();
    expect(after).toHaveLength(2);
    expect(after[1]).toMatchObject({ from: slowCursor + 1, to: model.seq });
    expect(textOf(after)).toBe(writerText());
    expect(expectContiguous(fast.deltas(), 0)).toBe(model.seq);
  });

  it('[F3] a peer that fell behind the window gets a snapshot instead of a delta, then deltas continue from the snapshot’s seq', async () => {
    const { commit, tick, connect, writerText, model } = rig({ windowEvents: 5 });
    const fast = connect('fast');
    const slow = connect('slow');
    await commit(2);
    tick();
    slow.queued = 100;
    for (let i = 0; i < 4; i++) {
      await commit(3); // 12 more events: the window (5) no longer holds the slow peer's cursor
      tick();
    }
    slow.queued = 0;
    tick(); // behind the window: a snapshot is requested instead of a delta
    expect(slow.deltas()).toHaveLength(1);
    await settle(); // the snapshot is built from the log, page by page
    tick(); // and sent by the next frame
    const [snap] = slow.snapshots();
    expect(snap).toMatchObject({ kind: 'stream', sub: 'agent:writer', seq: model.seq });
    expect(textOf([snap])).toBe(writerText());
    await commit(2);
    tick();
    const deltas = slow.deltas();
    expect(deltas).toHaveLength(2);
    expect(deltas[1]).toMatchObject({ from: snap.seq + 1, to: model.seq });
    // The fast peer never needed one.
    expect(fast.snapshots()).toEqual([]);
    expect(expectContiguous(fast.deltas(), 0)).toBe(model.seq);
  });

  it('[F3] [G5] with the window bound by bytes, a stalled peer costs no memory per event it misses and catches up through the snapshot with every committed token', async () => {
    // Each token here is ~280 estimated bytes: 4,000 bytes hold 14 events, far fewer than the count bound.
    const { commit, tick, connect, writerText, model, fanout } = rig({ windowEvents: 10_000, windowBytes: 4000 });
    const fast = connect('fast');
    const slow = connect('slow');
    await commit(2);
    tick();
    slow.queued = 100; // stalled: its transport queue is over the high-water mark
    for (let i = 0; i < 20; i++) {
      await commit(5, i % 2 ? 'writer' : 'bystander');
      tick();
      expect(fanout.windowStats.bytes).toBeLessThanOrEqual(4000);
    }
    expect(fanout.windowStats.events).toBeLessThan(20);
    expect(slow.sent.filter((s) => s.event === 'delta')).toHaveLength(1); // nothing queued for it while stalled
    slow.queued = 0;
    tick(); // its cursor left the window by bytes: a snapshot is requested
    await settle();
    tick();
    const [snap] = slow.snapshots();
    expect(snap).toMatchObject({ kind: 'stream', sub: 'agent:writer', seq: model.seq });
    // Everything the writer committed, in order: the first delta plus the snapshot (which starts from scratch).
    expect(textOf([snap])).toBe(writerText());
    await commit(3);
    tick();
    expect(slow.deltas().at(-1)).toMatchObject({ from: snap.seq + 1, to: model.seq });
    expect(textOf([snap, slow.deltas().at(-1)!])).toBe(writerText());
    expect(fast.snapshots()).toEqual([]);
    expect(expectContiguous(fast.deltas(), 0)).toBe(model.seq);
  });

  it('[F2] a peer that subscribes with `after` inside the window resumes right after it, with no snapshot', async () => {
    const { commit, tick, connect, model } = rig();
    connect('watcher'); // somebody watches: commits enter the window
    await commit(5);
    const resumed = connect('resumed', AGENT, 3);
    tick();
    expect(resumed.snapshots()).toEqual([]);
    expect(resumed.deltas()).toEqual([expect.objectContaining({ from: 4, to: model.seq })]);
  });

  it('[F2] [G5] an unwatched relay keeps no window; a dashboard back within the grace resumes with a delta, one back after it gets a snapshot with every token, then contiguous deltas', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // the grace timer; setImmediate stays real for the snapshot build
    try {
      const { commit, tick, connect, fanout, model, writerText } = rig({ windowGraceMs: 30_000 });
      await commit(4);
      expect(fanout.windowStats.events).toBe(0); // nobody has connected: commits skip the window
      const first = connect('first'); // after 0: before the window, so a snapshot
      tick();
      await settle();
      tick();
      expect(first.snapshots()).toHaveLength(1);
      expect(textOf(first.snapshots())).toBe(writerText());
      await commit(2);
      tick();
      const seen = model.seq;
      expect(first.deltas().at(-1)).toMatchObject({ to: seen });
      fanout.disconnect(first);
      vi.advanceTimersByTime(29_000);
      await commit(2); // inside the grace: still kept
      expect(fanout.windowStats.events).toBe(4);
      const back = connect('back', AGENT, seen);
      tick();
      expect(back.snapshots()).toEqual([]);
      expect(back.deltas()).toEqual([expect.objectContaining({ from: seen + 1, to: model.seq })]);
      fanout.disconnect(back);
      vi.advanceTimersByTime(30_000); // the grace ends: the window lets go of its events
      expect(fanout.windowStats.events).toBe(0);
      const left = model.seq;
      await commit(3);
      expect(fanout.windowStats.events).toBe(0);
      // Back from before those 3: a delta from the window would skip them; a snapshot has them all.
      const late = connect('late', AGENT, left);
      tick();
      expect(late.deltas()).toEqual([]);
      await settle();
      tick();
      const [snap] = late.snapshots();
      expect(snap).toMatchObject({ seq: model.seq });
      expect(textOf([snap])).toBe(writerText());
      await commit(2);
      tick();
      expect(expectContiguous(late.deltas(), snap.seq)).toBe(model.seq);
      expect(textOf([snap, ...late.deltas()])).toBe(writerText());
      fanout.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('[F2] the first dashboard after an unwatched stretch, resuming at the head, gets deltas from there with no snapshot and no gap', async () => {
    const { commit, tick, connect, model, writerText } = rig();
    await commit(3);
    const head = model.seq;
    const before = writerText();
    const resumed = connect('resumed', AGENT, head);
    await commit(2);
    tick();
    expect(resumed.snapshots()).toEqual([]);
    expect(resumed.deltas()).toEqual([expect.objectContaining({ from: head + 1, to: model.seq })]);
    expect(textOf(resumed.deltas())).toBe(writerText().slice(before.length)); // exactly the two committed after it
  });

  it('[F2] the window restarts after the last event the fanout was handed, not at a model head a failed model stage left behind: a cursor at that head gets a snapshot, never a delta without those events', async () => {
    const { log, model, fanout, commit, tick, connect, writerText } = rig();
    // A batch whose model stage threw partway: the model folded its first event only.
    const stamped = ['a', 'b', 'c'].map((x) => ev({ kind: 'token', agent: 'writer', data: { text: `<writer:${x}>` } }));
    const results = await log.append(stamped);
    const committed = stamped.map((e, i) => ({ ...e, seq: results[i].seq }) as XrayEvent);
    applyEvents(model, committed.slice(0, 1));
    fanout.onCommit(committed);
    const behind = connect('behind', AGENT, model.seq); // at the model's head, two events short
    await commit(1); // the next batch folds normally and moves the head past them
    tick();
    expect(behind.deltas()).toEqual([]); // a delta from the cursor would skip b and c
    await settle();
    tick();
    expect(textOf(behind.snapshots())).toBe(`<writer:a><writer:b><writer:c>${writerText()}`);
  });

  it('[F3] a fanout that was stopped starts no grace timer when its sockets close after it', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { connect, fanout } = rig();
      const peer = connect('closing');
      fanout.stop();
      fanout.disconnect(peer); // what closing the Socket.IO server does to each socket
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('[F1] a disconnected peer is forgotten: no more sends, no lag counted', async () => {
    const { commit, tick, connect, fanout } = rig();
    const gone = connect('gone');
    fanout.disconnect(gone);
    await commit(3);
    tick();
    expect(gone.sent).toEqual([]);
    expect(fanout.clientCount).toBe(0);
    expect(fanout.lags()).toEqual([]);
  });
});
