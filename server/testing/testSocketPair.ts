/**
 * An in-memory agent connection (after tldraw sync-core's TestSocketPair): the relay end is an
 * `AgentSocket`, the agent end sends raw text into the session and collects what the relay
 * sent back. Everything crosses as JSON text, as on the wire, so a message that would not
 * survive serialisation fails here too. No socket, no port, no event loop turn per message:
 * the relay's logic is tested on its own.
 */
import type { RelayToAgent } from '../../lib/protocol/relay';
import type { AgentSession } from '../relay/agentSession';
import type { AgentSocket } from '../relay/agentSocket';

/** The part of the relay a pair connects to: what a transport calls (`Relay.connect`, `handleMessage`, `handleClose`). */
export interface Connectable {
  connect(socket: AgentSocket, authenticated?: boolean, key?: string): AgentSession;
  handleMessage(session: AgentSession, raw: string | Buffer, isBinary?: boolean): void;
  handleClose(session: AgentSession, reason: string): void;
}

let nextPort = 40_000;

export class TestSocketPair {
  /** Messages the relay sent to the agent, oldest first, not yet taken by `take`/`next`. */
  readonly inbox: RelayToAgent[] = [];
  /** Every message the relay sent, never consumed (for "nothing else was sent" checks). */
  readonly sent: RelayToAgent[] = [];
  /** Set when the relay closed the connection. */
  closedBy: { code: number | undefined; reason: string | undefined } | null = null;
  /** The relay's end of the pair. */
  readonly socket: AgentSocket;
  private session: AgentSession | null = null;
  private relay: Connectable | null = null;
  private open = true;

  constructor(readonly address = '10.0.0.1', port = nextPort++) {
    const remote = `${address}:${port}`;
    this.socket = {
      remote,
      address,
      send: (message) => {
        if (!this.open) return; // like ws: a closed socket sends nothing
        const copy = JSON.parse(JSON.stringify(message)) as RelayToAgent;
        this.sent.push(copy);
        this.inbox.push(copy);
      },
      close: (code, reason) => {
        if (!this.open) return;
        this.open = false;
        this.closedBy = { code, reason };
      },
    };
  }

  /** Opens a connection to `relay` (as the transport does on a WS upgrade). */
  static connect(relay: Connectable, address?: string): TestSocketPair {
    const pair = new TestSocketPair(address);
    pair.relay = relay;
    pair.session = relay.connect(pair.socket);
    return pair;
  }

  /** Connects and registers `name`; throws unless the relay answered `registered`. */
  static register(relay: Connectable, name: string, address?: string): TestSocketPair {
    const pair = TestSocketPair.connect(relay, address);
    pair.send({ type: 'register', name });
    const answer = pair.take();
    if (answer?.type !== 'registered') throw new Error(`register ${name}: ${JSON.stringify(answer)}`);
    return pair;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** The agent sends a message: objects are serialised, strings go as they are (for malformed input). */
  send(message: unknown): void {
    if (!this.session || !this.relay) throw new Error('TestSocketPair: not connected');
    this.relay.handleMessage(this.session, typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The agent's side drops (network gone, process killed): the transport reports the close. */
  disconnect(code = 1006): void {
    this.open = false;
    if (this.session) this.relay?.handleClose(this.session, `socket closed (${code})`);
  }

  /** The oldest unread message, consumed; undefined when none is waiting. */
  take(): RelayToAgent | undefined {
    return this.inbox.shift();
  }

  /** Consumes and returns the first waiting message that matches, or undefined. */
  takeWhere<T extends RelayToAgent = RelayToAgent>(pred: (m: RelayToAgent) => boolean): T | undefined {
    const i = this.inbox.findIndex(pred);
    return i < 0 ? undefined : (this.inbox.splice(i, 1)[0] as T);
  }

  /**
   * Waits (turns of the event loop, bounded) for a matching message: acks and topic messages
   * follow a commit, which the writer runs on a later turn.
   */
  async next<T extends RelayToAgent = RelayToAgent>(pred: (m: RelayToAgent) => boolean, turns = 200): Promise<T> {
    for (let i = 0; i < turns; i++) {
      const m = this.takeWhere<T>(pred);
      if (m) return m;
      await new Promise((r) => setImmediate(r));
    }
    throw new Error(`no matching message after ${turns} turns; inbox: ${JSON.stringify(this.inbox).slice(0, 500)}`);
  }
}

/** Lets the writer commit what is queued and the listeners run (a few turns of the event loop). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}
