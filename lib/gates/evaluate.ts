/**
 * The evidence rule, as a pure function: a gate passes only when every requirement is met
 * by a span the agent CITED and the pipeline recorded — right name, required attributes,
 * matching the requirement's selector, finished without error, fresh enough and (if asked)
 * in the trace the check is about. An agent cannot claim "passed"; uncited spans never count.
 */
import type { GateRequirementResult } from '../protocol/spans';
import { conditionHolds, matches, type ParentLookup, type SpanRecord } from '../selector/match';
import type { GateDefinition, GateRequirement } from './gateConfig';

export interface CitedEvidence {
  span_id: string;
  trace_id?: string;
  /** The recorded span the citation resolves to; undefined when the pipeline never saw it. */
  span?: SpanRecord;
}

interface Attempt {
  ok: boolean;
  reason: string;
  /** How far the span got through the checks: the furthest failure explains the verdict best. */
  rank: number;
}

function ageText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)}m`;
  return `${Math.round(ms / 3_600_000)}h`;
}

function tryEvidence(req: GateRequirement, e: CitedEvidence, traceId: string | undefined, now: number, parentOf: ParentLookup): Attempt {
  const span = e.span;
  if (!span) {
    return { ok: false, rank: 0, reason: `span ${e.span_id}${e.trace_id ? ` in trace ${e.trace_id}` : ''} was not recorded by the pipeline` };
  }
  if (req.same_trace) {
    if (!traceId) return { ok: false, rank: 1, reason: 'same_trace: the check names no trace_id' };
    if (span.trace_id !== traceId) return { ok: false, rank: 1, reason: `span ${span.span_id} is in trace ${span.trace_id}, not ${traceId}` };
  }
  if (req.span_name !== undefined && span.name !== req.span_name) {
    return { ok: false, rank: 2, reason: `span ${span.span_id} is "${span.name}", not "${req.span_name}"` };
  }
  if (span.end === null) return { ok: false, rank: 3, reason: `span ${span.span_id} has not finished` };
  if (span.status === 'error') return { ok: false, rank: 3, reason: `span ${span.span_id} ended with an error` };
  for (const c of req.conditions) {
    const actual = Object.hasOwn(span.attributes, c.key) ? span.attributes[c.key] : undefined;
    if (!conditionHolds(actual, c)) {
      return { ok: false, rank: 4, reason: `span ${span.span_id}: ${c.key} is ${actual === undefined ? 'missing' : JSON.stringify(actual)}, required ${JSON.stringify(c.value)}` };
    }
  }
  if (req.parsedSelector && !matches(span, req.parsedSelector, parentOf)) {
    return { ok: false, rank: 5, reason: `span ${span.span_id} does not match ${req.selector}` };
  }
  if (req.maxAgeMs !== undefined) {
    const age = now - (span.end ?? span.start);
    if (age > req.maxAgeMs) return { ok: false, rank: 6, reason: `span ${span.span_id} is ${ageText(age)} old; max_age ${req.max_age}` };
  }
  return { ok: true, rank: 7, reason: `met by span ${span.span_id}` };
}

export function evaluateRequirement(req: GateRequirement, evidence: readonly CitedEvidence[], traceId: string | undefined, now: number, parentOf: ParentLookup): GateRequirementResult {
  if (!evidence.length) return { requirement: req.label, ok: false, reason: 'no evidence cited: cite the span_id where the tool recorded its result' };
  let best: { attempt: Attempt; e: CitedEvidence } | null = null;
  for (const e of evidence) {
    const attempt = tryEvidence(req, e, traceId, now, parentOf);
    if (attempt.ok) return { requirement: req.label, ok: true, span_id: e.span!.span_id, trace_id: e.span!.trace_id, reason: attempt.reason };
    if (!best || attempt.rank > best.attempt.rank) best = { attempt, e };
  }
  const e = best!.e;
  return { requirement: req.label, ok: false, span_id: e.span_id, ...(e.span ? { trace_id: e.span.trace_id } : {}), reason: best!.attempt.reason };
}

export function evaluateGate(gate: GateDefinition, evidence: readonly CitedEvidence[], traceId: string | undefined, now: number, parentOf: ParentLookup = () => undefined): { verdict: 'pass' | 'fail'; requirements: GateRequirementResult[] } {
  const requirements = gate.requirements.map((r) => evaluateRequirement(r, evidence, traceId, now, parentOf));
  return { verdict: requirements.every((r) => r.ok) ? 'pass' : 'fail', requirements };
}
