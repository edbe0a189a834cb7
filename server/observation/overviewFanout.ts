/**
 * Cursor fanout of the swarm overview. Each dashboard socket holds a cursor (the last seq it
 * was sent). Every tick, for each socket whose engine.io write buffer is below the
 * high-water mark, the agents and edges changed in (cursor, head] are coalesced into one
 * delta; sockets at the same cursor share one encoded packet. A stalled socket costs one
 * integer: it is skipped, and its next delta covers everything it missed.
 */
import type { Namespace, Socket } from 'socket.io';
import type { ClientToServerEvents, OverviewDelta, OverviewSnapshot, ServerRates, ServerToClientEvents } from '../../lib/protocol/dashboard';
import type { SwarmModel } from '../../lib/model/swarmModel';

type DashboardSocket = Socket<ClientToServerEvents, ServerToClientEvents>;
export type DashboardNamespace = Namespace<ClientToServerEvents, ServerToClientEvents>;

/** Packets queued in engine.io above which a client is skipped this tick. */
const HIGH_WATER_PACKETS = 16;

/** Packets engine.io has queued but not yet written to the transport (not ws bufferedAmount: DESIGN.md). */
export function queuedPackets(socket: DashboardSocket): number {
  return (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
}

export interface FanoutStats {
  deltas: number;
  snapshots: number;
  skippedForBackpressure: number;
}

export class OverviewFanout {
  private readonly cursors = new Map<DashboardSocket, number>();
  private timer: NodeJS.Timeout | null = null;
  private rateWindow = { at: Date.now(), events: 0, tokens: 0 };
  private rates: ServerRates = { eventsPerSec: 0, tokensPerSec: 0 };
  readonly stats: FanoutStats = { deltas: 0, snapshots: 0, skippedForBackpressure: 0 };

  constructor(
    private readonly nsp: DashboardNamespace,
    private readonly model: SwarmModel,
    private readonly tickMs = 50,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  add(socket: DashboardSocket): void {
    this.sendSnapshot(socket);
    socket.on('disconnect', () => this.cursors.delete(socket));
  }

  sendSnapshot(socket: DashboardSocket): void {
    const m = this.model;
    const snapshot: OverviewSnapshot = {
      scope: { kind: 'overview' },
      seq: m.seq,
      agents: [...m.agents.values()],
      edges: [...m.edges.values()],
      totals: { ...m.totals },
      rates: this.rates,
    };
    socket.emit('snapshot', snapshot);
    this.cursors.set(socket, m.seq);
    this.stats.snapshots++;
  }

  private updateRates(): void {
    const now = Date.now();
    const elapsed = now - this.rateWindow.at;
    if (elapsed < 1000) return;
    const t = this.model.totals;
    this.rates = {
      eventsPerSec: Math.round(((t.events - this.rateWindow.events) * 1000) / elapsed),
      tokensPerSec: Math.round(((t.tokens - this.rateWindow.tokens) * 1000) / elapsed),
    };
    this.rateWindow = { at: now, events: t.events, tokens: t.tokens };
  }

  /** One frame: group ready sockets by cursor, build each group's delta once, emit to the group. */
  tick(): void {
    this.updateRates();
    const head = this.model.seq;
    const groups = new Map<number, DashboardSocket[]>();
    for (const [socket, cursor] of this.cursors) {
      if (cursor >= head) continue;
      if (queuedPackets(socket) > HIGH_WATER_PACKETS) {
        this.stats.skippedForBackpressure++;
        continue;
      }
      let g = groups.get(cursor);
      if (!g) groups.set(cursor, (g = []));
      g.push(socket);
    }
    for (const [cursor, sockets] of groups) {
      const delta = this.deltaSince(cursor, head);
      // Broadcasting to the group's socket-id rooms encodes the packet once for all of them.
      this.nsp.to(sockets.map((s) => s.id)).emit('delta', delta);
      for (const s of sockets) this.cursors.set(s, head);
      this.stats.deltas += sockets.length;
    }
  }

  private deltaSince(cursor: number, head: number): OverviewDelta {
    const agents = [];
    for (const a of this.model.agents.values()) if (a.seq > cursor) agents.push(a);
    const edges = [];
    for (const e of this.model.edges.values()) if (e.seq > cursor) edges.push(e);
    return { from: cursor + 1, to: head, agents, edges, totals: { ...this.model.totals }, rates: this.rates };
  }

  get clientCount(): number {
    return this.cursors.size;
  }
}
