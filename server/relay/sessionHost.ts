/**
 * What an agent session needs from the relay that owns it. `Relay` implements it; the session
 * depends on this narrow interface instead of the Relay class, so the two modules do not import
 * each other. Generic in the session type for the same reason.
 */
import type { RestCallResult } from '../../lib/protocol/relay';
import type { AgentSpanWatches } from '../spans/agentSpanWatches';
import type { LogWriter } from '../store/logWriter';
import type { CallContext } from './frameEvents';

export interface AgentInfo {
  name: string;
  remote: string;
  connectedAt: number;
  capabilities: string[];
  subscriptions: string[];
}

export interface CallRequest {
  to: string;
  method: string;
  payload: string;
  timeout_ms?: number;
  trace_id?: string;
  parent_span_id?: string;
  /** A caller name a REST body claimed; recorded, never used as the caller's identity. */
  from_unverified?: string;
  session?: string;
}

export interface SessionHost<S> {
  readonly options: { rateLimit?: { perSecond: number; burst: number } };
  readonly stats: { rejected: number; rateLimited: number };
  readonly writer: Pick<LogWriter, 'submit'>;
  readonly calls: { context(correlationId: string): CallContext | undefined };
  readonly spanWatches: AgentSpanWatches | null;
  now(): number;
  authenticateKey(key: string | undefined, address: string): void;
  principalOf(key: string | undefined): string;
  /** A promise when the claim must wait for the cluster's name table (multi-node mode). */
  register(session: S, name: string, capabilities: string[] | undefined): void | Promise<void>;
  subscribe(session: S, topic: string): void;
  unsubscribe(session: S, topic: string): void;
  disconnected(session: S, reason: string): void;
  respond(session: S, correlationId: string, payload: string | undefined, error: string | { code?: string; message: string } | undefined): void;
  call(from: string, req: CallRequest, via: 'rest' | 'ws', address: string): Promise<RestCallResult>;
  broadcast(from: string, topic: string, payload: string, id?: string, traceId?: string, meta?: { scope?: string; fromUnverified?: string }): Promise<{ id: string; seq: number; duplicate: boolean }>;
}
