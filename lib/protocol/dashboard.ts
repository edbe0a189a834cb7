/**
 * Socket.IO contract between the server and dashboards (namespace `/dashboard`). A client
 * subscribes to a scope, receives a snapshot stamped with a seq, then deltas whose
 * `from`/`to` seq ranges are contiguous; a gap means "ask for a resync".
 */
import { z } from 'zod';
import type { WireError } from './errors';
import type { AgentState, EdgeState, SwarmTotals } from '../model/swarmModel';

export const DASHBOARD_NAMESPACE = '/dashboard';

export const scopeSchema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('overview') })]);
export type Scope = z.infer<typeof scopeSchema>;

export interface ServerRates {
  eventsPerSec: number;
  tokensPerSec: number;
}

export interface OverviewSnapshot {
  scope: Scope;
  seq: number;
  agents: AgentState[];
  edges: EdgeState[];
  totals: SwarmTotals;
  rates: ServerRates;
}

export interface OverviewDelta {
  from: number;
  to: number;
  agents: AgentState[];
  edges: EdgeState[];
  totals: SwarmTotals;
  rates: ServerRates;
}

export type SubscribeAck = { ok: true } | { ok: false; error: WireError };

export interface ServerToClientEvents {
  snapshot: (s: OverviewSnapshot) => void;
  delta: (d: OverviewDelta) => void;
  'xray:error': (e: WireError) => void;
}

export interface ClientToServerEvents {
  subscribe: (scope: unknown, ack?: (r: SubscribeAck) => void) => void;
  resync: () => void;
}
