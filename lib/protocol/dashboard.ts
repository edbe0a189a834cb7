/**
 * Socket.IO contract between the server and dashboards (namespace `/dashboard`). A client
 * subscribes to scopes — the swarm overview, one agent, one trace, one topic — and for each
 * receives a snapshot stamped with a seq, then deltas whose `from`/`to` seq ranges are
 * contiguous (`from` = previous `to` + 1); a gap means "ask for a resync".
 *
 * The overview travels as compact rows (agents by index, counters as numbers, a short text
 * tail) so that it costs a few percent of the raw frames; the scoped streams carry full,
 * coalesced token text (tokens concatenated per span).
 */
import { z } from 'zod';
import type { WireError } from './errors';
import type { Attributes, EventKind } from './events';
import { agentName, topicName, traceId } from './relay';
import { assertNever } from '../assertNever';

export const DASHBOARD_NAMESPACE = '/dashboard';

export const scopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('overview') }),
  z.object({ kind: z.literal('agent'), name: agentName }),
  z.object({ kind: z.literal('trace'), traceId }),
  z.object({ kind: z.literal('topic'), topic: topicName }),
]);
export type Scope = z.infer<typeof scopeSchema>;

/** `after`: resume from this seq (the last one the client applied) instead of taking a snapshot. */
export const subscribeRequest = z.object({ scope: scopeSchema, after: z.number().int().min(0).optional() });
export type SubscribeRequest = z.infer<typeof subscribeRequest>;

/** One subscription per scope per socket; the key names it on the wire. */
export function scopeKey(scope: Scope): string {
  switch (scope.kind) {
    case 'overview':
      return 'overview';
    case 'agent':
      return `agent:${scope.name}`;
    case 'trace':
      return `trace:${scope.traceId}`;
    case 'topic':
      return `topic:${scope.topic}`;
    default:
      return assertNever(scope, 'scope');
  }
}

export interface ServerRates {
  eventsPerSec: number;
  tokensPerSec: number;
}

export interface SwarmTotalsWire {
  events: number;
  tokens: number;
  calls: number;
  errors: number;
}

export const STATUS_CODES = ['idle', 'working', 'streaming', 'error', 'gone'] as const;

/**
 * A compact agent row: [idx, status, connected, tokens, callsIn, callsOut, inflight, errors,
 * loadActive (-1 = unknown), loadMax, textTail].
 */
export type FullAgentRow = [number, number, 0 | 1, number, number, number, number, number, number, number, string];
/** When only the token count moved: [idx, tokens], or [idx, tokens, textTail] when the preview refreshed. */
export type TokenAgentRow = [number, number] | [number, number, string];
export type AgentRow = FullAgentRow | TokenAgentRow;
/** Name-level facts, sent when an agent first appears or they change: [idx, name, capabilities, lastError]. */
export type AgentMeta = [number, string, string[], string | null];
/** [from idx, to idx or topic, kind (0 call, 1 topic), calls, inflight, errors] — topic edges name the topic. */
export type EdgeRow = [number, number | string, 0 | 1, number, number, number];

export interface OverviewPayload {
  meta: AgentMeta[];
  agents: AgentRow[];
  edges: EdgeRow[];
  totals: SwarmTotalsWire;
  rates: ServerRates;
}

/** Token text of one span, coalesced: [traceId, spanId, agent, text, tokenCount]. */
export type TextRun = [string | null, string | null, string, string, number];

/** A non-token event as a scoped stream shows it. */
export interface StreamEvent {
  seq: number;
  ts: number;
  kind: Exclude<EventKind, 'token'>;
  agent: string;
  peer: string | null;
  topic: string | null;
  trace_id: string | null;
  span_id: string | null;
  parent_span_id: string | null;
  data: Record<string, unknown> & { attributes?: Attributes };
}

export interface StreamPayload {
  text: TextRun[];
  events: StreamEvent[];
}

export type Snapshot =
  | ({ sub: 'overview'; kind: 'overview'; seq: number } & OverviewPayload)
  | ({ sub: string; kind: 'stream'; seq: number; scope: Scope; truncated: boolean } & StreamPayload);

export type Delta =
  | ({ sub: 'overview'; kind: 'overview'; from: number; to: number } & OverviewPayload)
  | ({ sub: string; kind: 'stream'; from: number; to: number } & StreamPayload);

export type SubscribeAck = { ok: true; sub: string; resumed: boolean } | { ok: false; error: WireError };

export interface ServerToClientEvents {
  snapshot: (s: Snapshot) => void;
  delta: (d: Delta) => void;
  'xray:error': (e: WireError) => void;
}

export interface ClientToServerEvents {
  subscribe: (request: unknown, ack?: (r: SubscribeAck) => void) => void;
  unsubscribe: (sub: unknown) => void;
  /** Asks for a fresh snapshot of one subscription (after a gap). */
  resync: (sub: unknown) => void;
}
