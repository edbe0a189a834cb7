/**
 * Ingest backpressure for agent sockets. While the log writer is over its high-water mark, a
 * socket's further messages are held and the socket paused, so TCP flow control slows the
 * agent down. ws still hands over the rest of the chunk it already read, so at most one read
 * chunk per socket waits here; it is processed after the next commit, before the socket
 * resumes. This bounds both memory and the work done per event-loop turn (/metrics stays
 * answerable). One job: hold, then release in arrival order.
 */

/** What the gate needs from the relay: whether ingest is over its mark, and when it is not any more. */
export interface IngestGate {
  readonly ingestOverloaded: boolean;
  onIngestDrain(listener: () => void): void;
}

/** One agent connection as the gate sees it. */
export interface GatedConnection {
  deliver(data: Buffer, isBinary: boolean): void;
  pause(): void;
  resume(): void;
}

interface Held {
  /** The held messages and whether each is binary, side by side: no tuple per message (issue 18). */
  items: Buffer[];
  binary: boolean[];
  at: number;
  /** Set when the socket closed with messages still waiting: the disconnect is recorded after them. */
  closed?: () => void;
}

export class IngestBackpressure {
  private readonly held = new Map<GatedConnection, Held>();
  private draining = false;

  constructor(private readonly gate: IngestGate) {
    gate.onIngestDrain(() => this.scheduleDrain());
  }

  /** A message arrived: delivered now, or held (behind any already held, so order is kept). */
  message(conn: GatedConnection, data: Buffer, isBinary: boolean): void {
    const waiting = this.held.get(conn);
    if (waiting) {
      waiting.items.push(data);
      waiting.binary.push(isBinary);
      return;
    }
    if (this.gate.ingestOverloaded) {
      this.held.set(conn, { items: [data], binary: [isBinary], at: 0 });
      conn.pause();
      return;
    }
    conn.deliver(data, isBinary);
  }

  /**
   * The socket closed. Messages that arrived before the close are still processed, in order and
   * through the same bounded drain, and only then does `finish` (the disconnect) run.
   */
  close(conn: GatedConnection, finish: () => void): void {
    const held = this.held.get(conn);
    if (!held) return finish();
    held.closed = finish;
    if (!this.gate.ingestOverloaded) this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.held.size && !this.draining) {
      this.draining = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.draining = false;
    for (const [conn, h] of this.held) {
      while (h.at < h.items.length && !this.gate.ingestOverloaded) {
        const at = h.at++;
        conn.deliver(h.items[at], h.binary[at]);
      }
      if (h.at < h.items.length) return; // overloaded again: the next commit continues from here
      this.held.delete(conn);
      if (h.closed) h.closed();
      else conn.resume();
    }
  }
}
