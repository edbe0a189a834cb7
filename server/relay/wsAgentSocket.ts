/**
 * The `AgentSocket` over a real `ws` WebSocket (the in-memory one is server/testing/testSocketPair.ts).
 * The relay only ever sees this interface, so it never depends on the transport.
 */
import type { WebSocket } from 'ws';
import type { AgentSocket } from './agentSocket';

/** An agent that stops reading is disconnected rather than buffered without bound. */
const AGENT_SEND_BUFFER_LIMIT = 16 * 1024 * 1024;

export function wsAgentSocket(ws: WebSocket, remote: string, address: string): AgentSocket {
  return {
    remote,
    address,
    send(message) {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > AGENT_SEND_BUFFER_LIMIT) {
        ws.close(1013, 'agent is not reading its messages');
        return;
      }
      ws.send(JSON.stringify(message));
    },
    close(code, reason) {
      ws.close(code, reason);
    },
  };
}
