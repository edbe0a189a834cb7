/**
 * The contract every condition kind implements. A kind folds committed events into bounded
 * aggregates as they arrive (`observe`) and answers, per key, whether it holds now
 * (`evaluate`). Kinds live in a registry (conditions/registry.ts) so a new one plugs in
 * without touching the engine, the loader or the state machine.
 */
import type { z } from 'zod';
import type { XrayEvent } from '../protocol/events';
import type { PriceTable } from '../cost/prices';

/** A finished call, resolved to its method (outcome events do not carry it; the request does). */
export interface CallOutcome {
  /** The agent that was called (the worker). */
  callee: string;
  caller: string;
  method: string | null;
  ok: boolean;
  durationMs: number;
}

/** What the engine derives once per event and hands to every condition. */
export interface EventFacts {
  call: CallOutcome | null;
}

/** One evaluation of one key of a condition. */
export interface Sample {
  /** '' for an ungrouped rule; the agent or method when grouped. */
  key: string;
  holds: boolean;
  /** The measured value (share, ms, seconds, count) that is compared with the threshold. */
  value: number;
  /** Recent trace ids that contributed (newest last), for deep links. */
  examples: readonly string[];
  /** The agent this sample is about, when there is one (deep link to the agent). */
  agent?: string;
}

export interface Condition {
  observe(e: XrayEvent, facts: EventFacts, now: number): void;
  /** Every key the condition currently has data for; keys missing from the answer do not hold. */
  evaluate(now: number): Sample[];
}

/** What the server knows that some kinds need (model prices for cost). */
export interface ConditionContext {
  /** The price table (`XRAY_PRICES`); the `cost` kind counts nothing without it. */
  prices?: PriceTable | null;
}

export interface ConditionKind<P = any> {
  kind: string;
  /** Kind-specific fields of a rule (merged with the common ones, strict). */
  params: z.ZodObject<any>;
  /** The threshold in the rule's own words, e.g. "error share > 0.2 over 60 s". */
  describe(params: P): string;
  threshold(params: P): number;
  create(params: P, now: number, context: ConditionContext): Condition;
}

/** Examples kept per key: a few recent trace ids, newest last, no duplicates. */
export const EXAMPLES_PER_KEY = 3;

export function rememberExample(list: string[], traceId: string | null): void {
  if (!traceId || list[list.length - 1] === traceId) return;
  const at = list.indexOf(traceId);
  if (at >= 0) list.splice(at, 1);
  list.push(traceId);
  if (list.length > EXAMPLES_PER_KEY) list.shift();
}

/** Keys per rule at most: a flood of invented agent or method names cannot grow a rule's memory. */
export const MAX_KEYS_PER_RULE = 2000;
