/**
 * Server-Sent Events for topic subscribers (`GET /v1/subscribe?topic=`). `data:` is exactly
 * the payload, `id:` its seq, so a reconnecting EventSource's `Last-Event-ID` resumes from
 * the log without loss. Each client is a cursor: when its socket buffer passes the
 * high-water mark it stops receiving live writes and catches up from the log on drain,
 * so a slow reader costs one integer, not a growing queue.
 */
import { XrayError } from '../../lib/protocol/errors';
import type { ServerResponse } from 'node:http';
import { startEventStream } from '../http/eventStream';
import type { XrayEvent } from '../../lib/protocol/events';
import type { EventLog } from '../store/eventLog';
import type { LogWriter } from '../store/logWriter';
import type { AddressSlots } from './addressSlots';

const HIGH_WATER_BYTES = 1024 * 1024;
const PAGE = 1000;
/** Loop time one replay slice may take before it yields. */
const CATCH_UP_SLICE_MS = 10;

interface SseClient {
  res: ServerResponse;
  topic: string;
  cursor: number;
  /** Not taking live writes: catching up from the log (or waiting for the socket to drain). */
  paused: boolean;
  /** A catch-up is running (it awaits the log): a drain meanwhile must not start a second one. */
  catchingUp: boolean;
}

export function formatSse(seq: number, payload: string): string {
  // Each line of the payload becomes a data: line; EventSource joins them back with \n.
  const lines = payload.split(/\r\n|\r|\n/);
  return `id: ${seq}\n${lines.map((l) => `data: ${l}`).join('\n')}\n\n`;
}

export class SseHub {
  private readonly clients = new Set<SseClient>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly log: EventLog,
    private readonly writer: LogWriter,
    /** Streams per client address and in total: one peer cannot take every slot. */
    readonly slots: AddressSlots,
  ) {
    writer.onCommit((events) => this.onCommit(events));
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) if (!c.paused) c.res.write(': keep-alive\n\n');
    }, 15_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /**
   * Starts a stream after `lastSeq`: replays the log page by page, then goes live. A cursor
   * beyond the head (a stale or forged Last-Event-ID) is clamped to the head, or the stream
   * would skip every live message until the log grew past it. Throws too_many_connections
   * (before any byte is written) when the address has used its share or the hub is full.
   */
  open(res: ServerResponse, topic: string, lastSeq: number, address: string): void {
    const refused = this.slots.acquire(address);
    if (refused === 'address') throw new XrayError('too_many_connections', `at most ${this.slots.perAddress} SSE streams per client address`);
    if (refused) throw new XrayError('too_many_connections', `the relay serves at most ${this.slots.maxTotal} SSE streams`);
    // The writer's head, not an awaited log head: it is where live delivery (onCommit) stands.
    lastSeq = Math.min(lastSeq, this.writer.head());
    startEventStream(res);
    const client: SseClient = { res, topic, cursor: lastSeq, paused: true, catchingUp: false };
    this.clients.add(client);
    res.on('close', () => {
      this.clients.delete(client);
      this.slots.release(address);
    });
    res.on('drain', () => this.catchUpOrEnd(client));
    this.catchUpOrEnd(client);
  }

  /**
   * A failed log read (a damaged page: storage_corrupt) must not escape a 'drain' callback or
   * be dropped as a rejected promise; end this stream with the coded error instead.
   */
  private catchUpOrEnd(client: SseClient): void {
    if (client.catchingUp || !this.clients.has(client)) return;
    client.catchingUp = true;
    this.catchUp(client).then(
      () => {
        client.catchingUp = false;
      },
      (err: unknown) => {
        client.catchingUp = false;
        const e = err instanceof XrayError ? err : new XrayError('internal');
        if (!this.clients.delete(client)) return;
        client.res.end(`event: error\ndata: ${JSON.stringify(e.toWire())}\n\n`);
      },
    );
  }

  /**
   * Writes from the log until the client is current or its buffer is full again, a bounded
   * page per read. The client stays paused (live events wait; the log has them, order kept)
   * until a read reaches the writer's head with no commit announced while it was out: then
   * the log and the live stream meet exactly, and the client goes live in that same turn.
   */
  private async catchUp(client: SseClient): Promise<void> {
    client.paused = true;
    let started = performance.now();
    for (;;) {
      const target = this.writer.head();
      const page = await this.log.read({ after: client.cursor, upTo: target, topic: client.topic, kinds: ['broadcast'], limit: PAGE });
      if (!this.clients.has(client)) return; // closed while the read was out
      for (const e of page) this.write(client, e);
      if (client.res.writableLength > HIGH_WATER_BYTES) return; // stays paused: 'drain' resumes it
      if (page.length < PAGE) {
        client.cursor = Math.max(client.cursor, target);
        if (this.writer.head() === target) {
          client.paused = false;
          return;
        }
        continue; // commits came in during the read: read them too
      }
      // A fast reader drains into the kernel as fast as we write, so the buffer check alone
      // would replay a huge topic in one go (G6): after a slice, yield a turn of the event loop.
      if (performance.now() - started > CATCH_UP_SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (!this.clients.has(client)) return;
        started = performance.now();
      }
    }
  }

  private write(client: SseClient, e: XrayEvent): void {
    if (e.kind !== 'broadcast') return;
    client.res.write(formatSse(e.seq, e.data.payload));
    client.cursor = e.seq;
  }

  private onCommit(events: readonly XrayEvent[]): void {
    for (const client of this.clients) {
      if (client.paused) continue;
      for (const e of events) {
        if (e.seq <= client.cursor) continue;
        if (e.kind === 'broadcast' && e.topic === client.topic) this.write(client, e);
        else client.cursor = e.seq;
      }
      if (client.res.writableLength > HIGH_WATER_BYTES) client.paused = true;
    }
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }
}
