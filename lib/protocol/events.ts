import type { AlertTransitionData } from './alertTransition';
/**
 * The stored event envelope. Every relay message and telemetry frame becomes one of these
 * in the append-only log; the live model, the fanout and the trace reconstruction read them.
 */
export const EVENT_KINDS = [
  'agent.connect',
  'agent.register',
  'agent.disconnect',
  'call.request',
  'call.response',
  'call.error',
  'call.timeout',
  'broadcast',
  'subscribe',
  'token',
  'span.start',
  'span.end',
  'gate.check',
  'alert.transition',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export type Attributes = Record<string, string | number | boolean | null>;

/** Per-kind `data`, so reducers narrow on `kind`. */
export interface EventData {
  'agent.connect': { transport: string };
  'agent.register': { transport: string; capabilities?: string[] };
  'agent.disconnect': { reason: string };
  /** `from_unverified`: a caller name a REST body claimed; the caller is `agent` (the REST principal). */
  'call.request': { correlation_id: string; method: string; payload: string; timeout_ms: number; via: 'rest' | 'ws'; from_unverified?: string; session?: string };
  'call.response': { correlation_id: string; payload: string; duration_ms: number };
  'call.error': { correlation_id: string; code: string; message: string; duration_ms: number };
  'call.timeout': { correlation_id: string; timeout_ms: number; duration_ms: number };
  /** `from_unverified`: a sender name a REST body claimed; the sender is `agent` (the REST principal), never this. */
  broadcast: { payload: string; from_unverified?: string };
  subscribe: { transport: string };
  token: { text: string; index?: number; correlation_id?: string };
  'span.start': { name: string; attributes?: Attributes; end_t?: number };
  'span.end': { status: 'ok' | 'error'; error?: string; attributes?: Attributes };
  /** An evidence gate's verdict (server/gates): recorded in the trace the check was about. */
  'gate.check': {
    gate: string;
    verdict: 'pass' | 'fail';
    /** 1 for the first check of this gate in this trace. */
    attempt: number;
    requirements: { requirement: string; ok: boolean; span_id?: string; trace_id?: string; reason: string }[];
    evidence: { span_id: string; trace_id?: string }[];
  };
  /** An alert changed state (written by the server's alert engine, never by agents). */
  'alert.transition': AlertTransitionData;
}

export { alertTransitionData, type AlertTransitionData } from './alertTransition';

interface Envelope<K extends EventKind> {
  /** Server-assigned, strictly increasing. */
  seq: number;
  /** The idempotency key (client-supplied or minted). */
  id: string;
  /** Server receive time, ms since epoch. */
  ts: number;
  /** Source time if the agent gave one. */
  t: number | null;
  kind: K;
  trace_id: string | null;
  span_id: string | null;
  parent_span_id: string | null;
  agent: string;
  peer: string | null;
  topic: string | null;
  /** Logical clock per trace: causal order even when agent clocks disagree. */
  lamport: number;
  data: EventData[K];
}

export type XrayEvent = { [K in EventKind]: Envelope<K> }[EventKind];
export type EventOf<K extends EventKind> = Envelope<K>;

/** An event before the log stamps `seq` and the ingest stamps `lamport`. */
export type NewEvent = { [K in EventKind]: Omit<Envelope<K>, 'seq' | 'lamport'> & { lamport?: number } }[EventKind];
