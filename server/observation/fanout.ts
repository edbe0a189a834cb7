/**
 * Cursor fanout to dashboards (DESIGN.md "Fanout: cursor, not queue"). Each peer (socket) holds
 * subscriptions, each a scope and a cursor (the last seq it was sent). Every tick, for each
 * peer whose backlog (engine.io's write buffer) is below the high-water mark, the events in
 * (cursor, head] its scope sees are coalesced into ONE delta and the cursor advances.
 * Subscriptions at the same scope and cursor share one encoded packet. A stalled socket is
 * skipped: its backlog costs one integer per subscription, and its next delta covers
 * everything it missed — from the window, or, if it fell behind that, a fresh snapshot.
 * No volatile emits anywhere: every delta is on the no-loss path.
 *
 * Transport-agnostic: it talks to `DashboardPeer`s. The Socket.IO adapter (socketIoPeer.ts)
 * is the one place that knows engine.io's internals; tests drive `tick(now)` over fake peers.
 */
import { XrayError } from '../../lib/protocol/errors';
import { scopeKey, type Delta, type Scope, type ServerRates, type ServerToClientEvents, type Snapshot } from '../../lib/protocol/dashboard';
import type { XrayEvent } from '../../lib/protocol/events';
import type { SwarmModel } from '../../lib/model/swarmModel';
import type { EventLog } from '../store/eventLog';
import type { EventWindow } from './eventWindow';
import type { FanoutMetrics } from './fanoutMetrics';
import { encodeOverview } from './overviewEncode';
import { coalesce } from './scopeStream';
import { traceQuietBetween } from './traceResume';
import { entryBytes, SnapshotCache, snapshotOf, type SnapshotEntry, type StreamScope } from './snapshotCache';

/** One dashboard connection, as the fanout sees it. */
export interface DashboardPeer {
  readonly id: string;
  /** Messages queued for this peer and not yet handed to its transport: above the high-water mark it is skipped. */
  backlog(): number;
  send<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
}

/**
 * Sends one delta to several peers. The Socket.IO adapter encodes it once for all of them
 * (a room broadcast); without one, each peer is sent the same object.
 */
export type DeltaBroadcast<P extends DashboardPeer> = (peers: readonly P[], delta: Delta) => void;

const sendToEach = <P extends DashboardPeer>(peers: readonly P[], delta: Delta) => {
  for (const p of peers) p.send('delta', delta);
};

export interface FanoutOptions {
  /** Frame tick (ms); the fanout adapts between 16 and 50 ms by load. */
  tickMs?: number;
  /** The overview is re-sent at most this often (ms): counters, not a per-token stream. */
  overviewEveryMs?: number;
  /** Queued messages (engine.io packets) above which a peer is skipped this tick. */
  highWaterPackets?: number;
  /** Events one stream delta carries at most; the rest follow next tick (bounded messages). */
  maxDeltaEvents?: number;
  /** Seqs an agent/topic snapshot looks back over. */
  snapshotLookback?: number;
  maxSubscriptionsPerSocket?: number;
  /** Estimated snapshot bytes one frame tick serializes at most (one snapshot always goes). */
  snapshotBytesPerTick?: number;
  /**
   * How long (ms) the window keeps filling after the last dashboard left, so one that comes
   * back (a network blip, a reload) resumes with a delta instead of a snapshot.
   */
  windowGraceMs?: number;
  /**
   * The window fills whether or not anyone watches: in multi-node mode a dashboard may move
   * here from another node at any moment and must resume from its cursor (M4).
   */
  keepWindowUnwatched?: boolean;
}

interface Subscription {
  key: string;
  scope: Scope;
  cursor: number;
  lastEmit: number;
  /** A stream snapshot is being built or waits for the socket to drain: no deltas until it is sent. */
  pending: boolean;
  /** The built snapshot, held while the socket is above its high-water mark. */
  ready: SnapshotEntry | null;
}

export class Fanout<P extends DashboardPeer = DashboardPeer> {
  private readonly clients = new Map<P, Map<string, Subscription>>();
  private timer: NodeJS.Timeout | null = null;
  private tickMs: number;
  private lastOverview = 0;
  private rateWindow = { at: Date.now(), events: 0, tokens: 0 };
  private rates: ServerRates = { eventsPerSec: 0, tokensPerSec: 0 };
  private readonly o: Required<FanoutOptions>;
  readonly snapshots: SnapshotCache;
  /** Told of every snapshot sent, with its estimated size (the session budget charges big ones). */
  onSnapshotSent: (peer: P, bytes: number) => void = () => {};
  /** Estimated snapshot bytes serialized in the current tick (at least one snapshot always goes). */
  private tickSnapshotBytes = 0;
  /**
   * True while nobody can read the window: no dashboard has connected since start, or the
   * last one left more than `windowGraceMs` ago (never with `keepWindowUnwatched`). Commits
   * then skip it: an unwatched relay keeps no copy of its stream, and at 100k tokens/s that
   * copy is the young generation's biggest survivor (every event outlives a few scavenges in
   * the window and is promoted).
   */
  private windowIdle: boolean;
  private windowGrace: NodeJS.Timeout | null = null;
  /**
   * The seq of the newest committed event handed to `onCommit`, pushed or skipped: where the
   * window becomes complete when it starts filling again. Not the model's head, which a model
   * stage that threw partway through a batch would leave behind the batch's last event.
   */
  private lastCommitted: number;
  private stopped = false;

  constructor(
    private readonly model: SwarmModel,
    /** Read for snapshots (through the cache) and for the quiet-trace resume probe. */
    private readonly log: EventLog,
    private readonly window: EventWindow,
    private readonly metrics: FanoutMetrics,
    options: FanoutOptions = {},
    private readonly broadcast: DeltaBroadcast<P> = sendToEach,
  ) {
    this.o = { tickMs: 16, overviewEveryMs: 500, highWaterPackets: 16, maxDeltaEvents: 5000, snapshotLookback: 20_000, maxSubscriptionsPerSocket: 16, snapshotBytesPerTick: 1024 * 1024, windowGraceMs: 30_000, keepWindowUnwatched: false, ...options };
    this.windowIdle = !this.o.keepWindowUnwatched;
    this.lastCommitted = model.seq;
    this.tickMs = this.o.tickMs;
    this.snapshots = new SnapshotCache(log, window, { lookback: this.o.snapshotLookback });
  }

  /** Committed events enter the window; the model has already folded them. */
  onCommit(events: readonly XrayEvent[]): void {
    if (events.length) this.lastCommitted = events[events.length - 1].seq;
    if (!this.windowIdle) this.window.push(events);
    this.metrics.eventsIn += events.length;
  }

  start(): void {
    const loop = () => {
      const started = performance.now();
      this.tick(Date.now());
      // Adaptive frame: a slow tick (many clients, big deltas) stretches the next interval toward 50 ms.
      const spent = performance.now() - started;
      this.tickMs = Math.min(50, Math.max(16, this.o.tickMs, spent * 4));
      this.timer = setTimeout(loop, this.tickMs);
      this.timer.unref();
    };
    this.timer = setTimeout(loop, this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true; // closing the server disconnects every socket after this: no grace timer then
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.windowGrace) clearTimeout(this.windowGrace);
    this.windowGrace = null;
  }

  get head(): number {
    return this.model.seq;
  }

  connect(peer: P): void {
    if (this.windowGrace) clearTimeout(this.windowGrace);
    this.windowGrace = null;
    if (this.windowIdle) {
      // Every commit so far went past onCommit: from the last of them on, the window is
      // complete. A cursor from before it gets a snapshot.
      this.window.reset(this.lastCommitted);
      this.windowIdle = false;
    }
    this.clients.set(peer, new Map());
  }

  /** The transport calls this when the peer's connection has closed. */
  disconnect(peer: P): void {
    this.clients.delete(peer);
    if (this.clients.size || this.windowIdle || this.windowGrace || this.o.keepWindowUnwatched || this.stopped) return;
    // A connect cancels this timer, so when it fires nobody is connected.
    this.windowGrace = setTimeout(() => {
      this.windowGrace = null;
      this.windowIdle = true;
      // Its memory goes now, not when it would have been overwritten; idle, it knows nothing.
      this.window.reset(Infinity);
    }, this.o.windowGraceMs);
    this.windowGrace.unref();
  }

  /**
   * Subscribes. With `after` (a reconnecting client's last applied seq) the stream resumes
   * right after it when the window still holds it — the overview can always resume, its
   * model knows what changed since any seq; otherwise the scope's snapshot goes out at once.
   */
  subscribe(peer: P, scope: Scope, after?: number): { key: string; resumed: boolean } {
    const subs = this.clients.get(peer);
    if (!subs) throw new Error('peer not connected');
    const key = scopeKey(scope);
    if (!subs.has(key) && subs.size >= this.o.maxSubscriptionsPerSocket) throw new Error(`at most ${this.o.maxSubscriptionsPerSocket} subscriptions per connection`);
    const sub: Subscription = { key, scope, cursor: 0, lastEmit: 0, pending: false, ready: null };
    subs.set(key, sub);
    const resumable = after !== undefined && after <= this.head && (scope.kind === 'overview' || after >= this.window.floor || after === this.head);
    if (resumable) {
      sub.cursor = after;
      return { key, resumed: true };
    }
    if (scope.kind === 'trace' && after !== undefined && after <= this.head) {
      this.resumeQuietTrace(peer, sub, scope.traceId, after);
      return { key, resumed: true };
    }
    this.requestSnapshot(peer, sub);
    return { key, resumed: false };
  }

  /**
   * A trace subscription resuming from before the window (see traceResume.ts): when the trace
   * has no event in (after, head], an empty delta moves the client's cursor to head and deltas
   * carry on from there; otherwise (or if the probe fails) the snapshot goes out as usual.
   */
  private resumeQuietTrace(peer: P, sub: Subscription, traceId: string, after: number): void {
    sub.pending = true;
    const head = this.head;
    const settle = (quiet: boolean) => {
      if (!this.isCurrent(peer, sub)) return;
      sub.pending = false;
      if (!quiet) return this.requestSnapshot(peer, sub);
      sub.cursor = head;
      if (head > after) peer.send('delta', { sub: sub.key, kind: 'stream', from: after + 1, to: head, text: [], events: [] });
    };
    traceQuietBetween(this.log, traceId, after, head).then(settle, () => settle(false));
  }

  unsubscribe(peer: P, key: string): void {
    this.clients.get(peer)?.delete(key);
  }

  scopeOf(peer: P, key: string): Scope | undefined {
    return this.clients.get(peer)?.get(key)?.scope;
  }

  /** Whether the subscription exists (false: the caller should say so). A resync while one is on its way is merged into it. */
  resync(peer: P, key: string): boolean {
    const sub = this.clients.get(peer)?.get(key);
    if (!sub) return false;
    if (!sub.pending) this.requestSnapshot(peer, sub);
    return true;
  }

  private isCurrent(peer: P, sub: Subscription): boolean {
    return this.clients.get(peer)?.get(sub.key) === sub;
  }

  /**
   * The overview snapshot is built from the live model (bounded by the agent count) and sent
   * at once. A stream snapshot comes from the shared cache, built page by page; the
   * subscription gets no deltas until it is sent, then continues from the snapshot's seq.
   */
  private requestSnapshot(peer: P, sub: Subscription): void {
    if (sub.scope.kind === 'overview') {
      const snap: Snapshot = { sub: 'overview', kind: 'overview', seq: this.head, ...encodeOverview(this.model, -1, this.rates) };
      peer.send('snapshot', snap);
      this.snapshotSent(sub, snap.seq, JSON.stringify(snap).length);
      return;
    }
    sub.pending = true;
    sub.ready = null;
    this.snapshots.get(sub.scope as StreamScope, this.head).then(
      (entry) => {
        if (!this.isCurrent(peer, sub)) return;
        // Sent by the next tick, within its snapshot byte budget: a burst of requests for a big
        // snapshot is spread over frames instead of being serialized in one go.
        sub.ready = entry;
      },
      (err: Error) => {
        if (!this.isCurrent(peer, sub)) return;
        sub.pending = false;
        // A failed log read (a damaged page: storage_corrupt) reaches this client only; the rest go on.
        peer.send('xray:error', { code: err instanceof XrayError ? err.code : 'storage_failed', message: `snapshot of ${sub.key} failed: ${err.message}; resync to retry` });
      },
    );
  }

  /** Estimated size of the scope's cached snapshot (0 when none is cached): what a request for it will cost. */
  snapshotCostBytes(scope: Scope): number {
    return scope.kind === 'overview' ? 0 : this.snapshots.peekBytes(scope as StreamScope);
  }

  /** Sends a built snapshot unless the peer is backed up or this tick's snapshot budget is spent (then a later tick does). */
  private deliverReady(peer: P, sub: Subscription): void {
    const entry = sub.ready;
    if (!entry || peer.backlog() > this.o.highWaterPackets) return;
    if (this.tickSnapshotBytes > 0 && this.tickSnapshotBytes + entryBytes(entry) > this.o.snapshotBytesPerTick) return;
    this.tickSnapshotBytes += entryBytes(entry);
    // The entry may have moved on since it was built: it is exact up to its current seq.
    peer.send('snapshot', snapshotOf(entry));
    sub.ready = null;
    sub.pending = false;
    const bytes = entryBytes(entry);
    this.snapshotSent(sub, entry.seq, bytes);
    this.onSnapshotSent(peer, bytes);
  }

  private snapshotSent(sub: Subscription, seq: number, bytes: number): void {
    sub.cursor = seq;
    sub.lastEmit = Date.now();
    this.metrics.snapshots++;
    this.metrics.countOut(bytes, 1);
  }

  private updateRates(now: number): void {
    const elapsed = now - this.rateWindow.at;
    if (elapsed < 1000) return;
    const t = this.model.totals;
    this.rates = {
      eventsPerSec: Math.round(((t.events - this.rateWindow.events) * 1000) / elapsed),
      tokensPerSec: Math.round(((t.tokens - this.rateWindow.tokens) * 1000) / elapsed),
    };
    this.rateWindow = { at: now, events: t.events, tokens: t.tokens };
  }

  /** One frame: group ready subscriptions by (scope, cursor), build each group's delta once, emit it to the group. */
  tick(now: number): void {
    this.tickSnapshotBytes = 0;
    this.updateRates(now);
    const head = this.head;
    const overviewDue = now - this.lastOverview >= this.o.overviewEveryMs;
    if (overviewDue) this.lastOverview = now;
    const groups = new Map<string, { sub: Subscription; members: [P, Subscription][] }>();
    let maxLag = 0;
    for (const [peer, subs] of this.clients) {
      let lagging = false;
      for (const sub of subs.values()) {
        maxLag = Math.max(maxLag, head - sub.cursor);
        if (sub.cursor < head || sub.ready) lagging = true;
      }
      if (!lagging) continue;
      if (peer.backlog() > this.o.highWaterPackets) {
        this.metrics.skippedForBackpressure++;
        continue;
      }
      for (const sub of subs.values()) {
        if (sub.ready) this.deliverReady(peer, sub);
        if (sub.pending || sub.cursor >= head || (sub.scope.kind === 'overview' && !overviewDue)) continue;
        const gk = `${sub.key}|${sub.cursor}`;
        let g = groups.get(gk);
        if (!g) groups.set(gk, (g = { sub, members: [] }));
        g.members.push([peer, sub]);
      }
    }
    this.metrics.maxClientLag = maxLag;
    for (const { sub, members } of groups.values()) this.emitGroup(sub, members, head, now);
  }

  private emitGroup(model: Subscription, members: [P, Subscription][], head: number, now: number): void {
    const cursor = model.cursor;
    let delta: Delta;
    let newest = 0;
    let rawBytes = 0;
    if (model.scope.kind === 'overview') {
      delta = { sub: 'overview', kind: 'overview', from: cursor + 1, to: head, ...encodeOverview(this.model, cursor, this.rates) };
      const events = this.window.since(cursor, head, Number.MAX_SAFE_INTEGER);
      if (events) for (const e of events) rawBytes += rawFrameBytes(e);
    } else {
      const events = this.window.since(cursor, head, this.o.maxDeltaEvents);
      if (!events) {
        // Fell behind the window: a fresh snapshot (shared, built in pages) replaces the missed deltas.
        for (const [peer, sub] of members) if (!sub.pending) this.requestSnapshot(peer, sub);
        return;
      }
      const to = events.length === this.o.maxDeltaEvents ? events[events.length - 1].seq : head;
      const payload = coalesce(events, model.scope);
      if (payload.text.length === 0 && payload.events.length === 0 && now - model.lastEmit < 1000) return; // nothing to show: skip, cursor stays (at most one empty delta a second)
      delta = { sub: model.key, kind: 'stream', from: cursor + 1, to, ...payload };
      for (const e of events) {
        newest = Math.max(newest, e.ts);
        rawBytes += rawFrameBytes(e);
      }
    }
    // One call for the whole group: the Socket.IO adapter encodes the packet once for all of them.
    this.broadcast(members.map(([p]) => p), delta);
    for (const [, sub] of members) {
      sub.cursor = delta.to;
      sub.lastEmit = now;
    }
    this.metrics.deltas += members.length;
    this.metrics.countOut(JSON.stringify(delta).length, members.length, rawBytes * members.length);
    if (newest) this.metrics.latency.observe(now - newest);
  }

  /** The window's fill and bound, for /metrics. */
  get windowStats(): { events: number; bytes: number; maxBytes: number } {
    return { events: this.window.size, bytes: this.window.approxBytes, maxBytes: this.window.maxBytes };
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Per-peer lag (seq behind head, worst subscription), for /metrics. */
  lags(): number[] {
    const head = this.head;
    return [...this.clients.values()].map((subs) => Math.max(0, ...[...subs.values()].map((s) => head - s.cursor)));
  }
}

/** What one event would cost as its own Socket.IO message (the naive baseline), estimated without serializing. */
export function rawFrameBytes(e: XrayEvent): number {
  const body = e.kind === 'token' ? e.data.text.length + 20 : 120;
  return 230 + body;
}
