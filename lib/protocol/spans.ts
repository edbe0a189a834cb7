/**
 * Wire types for the telemetry read-back: span queries, span watches and evidence gates
 * (DESIGN.md § "Telemetry as coordination"). Server, SDK and dashboard import these.
 */
import { z } from 'zod';
import type { Attributes } from './events';
import { LIMITS } from './limits';
import { agentName, spanId, traceId } from './relay';

export type { WireSpan } from './relay';
import type { WireSpan } from './relay';

export interface SpanQueryResult {
  spans: WireSpan[];
  /** Cursor for the next page (`cursor=`), null when there is none. */
  next: number | null;
}

const selectorText = z.string().max(2000);

/** `GET /v1/spans` and `GET /api/spans` query string. */
export const spanQueryParams = z.object({
  q: selectorText.optional(),
  trace_id: traceId.optional(),
  since: z.coerce.number().finite().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.maxSpanQueryLimit).default(100),
  cursor: z.coerce.number().int().positive().optional(),
});

/** `GET /v1/spans/watch` query string (`after` or Last-Event-ID resumes). */
export const spanWatchParams = z.object({
  q: selectorText,
  after: z.coerce.number().int().nonnegative().optional(),
});

/** `POST /v1/gates/{name}/check` body. */
export const gateCheckBody = z.object({
  trace_id: traceId.optional(),
  evidence: z
    .array(z.object({ span_id: spanId, trace_id: traceId.optional() }).strict())
    .max(LIMITS.gateEvidenceItems)
    .default([]),
  /** Who asks (REST has no connection identity); defaults to "rest". */
  from: agentName.optional(),
  /** Nest the gate.check node under this span of the trace. */
  parent_span_id: spanId.optional(),
});
export type GateCheckBody = z.input<typeof gateCheckBody>;

export const gateName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'gate names use letters, digits and . _ : -');

export interface GateRequirementResult {
  requirement: string;
  ok: boolean;
  span_id?: string;
  trace_id?: string;
  reason: string;
}

export interface GateVerdict {
  gate: string;
  verdict: 'pass' | 'fail';
  attempt: number;
  trace_id: string;
  /** The span id of the recorded gate.check. */
  check_span_id: string;
  requirements: GateRequirementResult[];
}

export interface GateRequirementInfo {
  name: string;
  evidence_type: 'telemetry_span';
  span_name?: string;
  required_attributes: string[];
  selector?: string;
  max_age?: string;
  same_trace: boolean;
}

export interface GateInfo {
  name: string;
  requirements: GateRequirementInfo[];
}

export interface GateStats {
  checks: number;
  passes: number;
  /** Traces in which this gate was checked at least once. */
  first_attempts: number;
  first_attempt_passes: number;
  first_attempt_pass_rate: number | null;
}

export interface GateCheckRecord {
  seq: number;
  ts: number;
  gate: string;
  trace_id: string;
  span_id: string;
  agent: string;
  verdict: 'pass' | 'fail';
  attempt: number;
  requirements: GateRequirementResult[];
  evidence: { span_id: string; trace_id?: string }[];
}
