/**
 * The minimal surface the relay needs from a connection. The real one wraps a `ws`
 * WebSocket (wsAgentSocket.ts); `server/testing/testSocketPair.ts` is the in-memory one that
 * relay.test.ts drives, so relay logic is tested without a network.
 */
import type { RelayToAgent } from '../../lib/protocol/relay';

export interface AgentSocket {
  readonly remote: string;
  /** The peer's IP address alone: per-address fair shares are counted against it. */
  readonly address: string;
  send(message: RelayToAgent): void;
  close(code?: number, reason?: string): void;
}
