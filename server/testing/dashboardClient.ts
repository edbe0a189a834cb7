/** A test dashboard: a real socket.io-client that applies snapshots/deltas with the browser's pure functions and records every packet. */
import { io, type Socket } from 'socket.io-client';
import { applyOverviewDelta, applyOverviewSnapshot, emptyOverview, type OverviewState } from '../../lib/client/overviewState';
import { applyStreamDelta, applyStreamSnapshot, emptyStream, type StreamState } from '../../lib/client/streamState';
import { DASHBOARD_NAMESPACE, scopeKey, type ClientToServerEvents, type Delta, type Scope, type ServerToClientEvents, type Snapshot, type SubscribeAck } from '../../lib/protocol/dashboard';

export class TestDashboard {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  overview: OverviewState = emptyOverview;
  /** By subscription key (`agent:<name>`…: outside strings). */
  readonly streams = new Map<string, StreamState>();
  readonly deltas: Delta[] = [];
  readonly snapshots: Snapshot[] = [];
  gaps = 0;
  /** Bytes of every engine.io message received (socket.io-encoded text). */
  bytesIn = 0;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.socket = io(`${url}${DASHBOARD_NAMESPACE}`, { path: '/socket.io', transports: ['websocket'], reconnection: false, extraHeaders: headers, forceNew: true });
    this.socket.io.on('open', () => {
      this.socket.io.engine.on('data', (d: string | ArrayBuffer) => (this.bytesIn += typeof d === 'string' ? Buffer.byteLength(d) : d.byteLength));
    });
    this.socket.on('snapshot', (s) => {
      this.snapshots.push(s);
      if (s.kind === 'overview') this.overview = applyOverviewSnapshot(this.overview, s);
      else this.streams.set(s.sub, applyStreamSnapshot(this.streams.get(s.sub) ?? emptyStream, s));
    });
    this.socket.on('delta', (d) => {
      this.deltas.push(d);
      const r = d.kind === 'overview' ? applyOverviewDelta(this.overview, d) : applyStreamDelta(this.streams.get(d.sub) ?? emptyStream, d);
      if (d.kind === 'overview') this.overview = r.state as OverviewState;
      else this.streams.set(d.sub, r.state as StreamState);
      if (r.gap) {
        this.gaps++;
        this.socket.emit('resync', d.sub);
      }
    });
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.connected) return resolve();
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  subscribe(scope: Scope, after?: number): Promise<SubscribeAck> {
    return new Promise((resolve) => this.socket.emit('subscribe', after === undefined ? { scope } : { scope, after }, resolve));
  }

  seqOf(scope: Scope): number {
    const key = scopeKey(scope);
    return key === 'overview' ? this.overview.seq : (this.streams.get(key)?.seq ?? -1);
  }

  /** Stops reading from the TCP socket (the kernel buffers fill, then the server sees backpressure). */
  stallReading(stalled: boolean): void {
    const transport = this.socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } };
    if (stalled) transport.ws._socket.pause();
    else transport.ws._socket.resume();
  }

  close(): void {
    this.socket.disconnect();
  }
}
