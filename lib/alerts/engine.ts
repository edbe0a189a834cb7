/**
 * The alert engine: folds committed events into each rule's condition (incrementally, as
 * they commit), evaluates the conditions against a clock and steps each alert's state
 * machine. It does no I/O: transitions go to `emit` (the service appends them to the log and
 * queues webhooks). Time is injected, so tests use a fake clock.
 */
import type { XrayEvent } from '../protocol/events';
import { stepAlert, type AlertState } from './alertState';
import type { Condition, ConditionContext, EventFacts } from './condition';
import { CallIndex } from './callIndex';
import type { RuleSet, RuleSpec } from './ruleFile';
import type { AlertTransitionData } from '../protocol/events';
import type { ActiveAlertView } from '../protocol/alerts';

/** Agents whose transitions the engine writes: its own events never feed its conditions. */
export const ALERTS_AGENT = 'xray.alerts';

interface LiveRule {
  spec: RuleSpec;
  condition: Condition;
  threshold: number;
  description: string;
  states: Map<string, AlertState & { agent?: string }>;
}

/** An alert that is pending or firing: the same shape the API sends (lib/protocol/alerts). */
export type ActiveAlert = ActiveAlertView;

/** FNV-1a: a short stable hash for firing ids (not a secret, only a name). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function firingIdOf(rule: string, key: string, firedAt: number): string {
  return `${fnv1a(`${rule}\u0000${key}`)}-${firedAt.toString(36)}`;
}

export class AlertEngine {
  private readonly rules = new Map<string, LiveRule>();
  private readonly calls = new CallIndex();
  readonly stats = { evaluations: 0, transitions: 0 };

  constructor(
    private readonly now: () => number,
    private readonly emit: (t: AlertTransitionData) => void,
    private readonly context: ConditionContext = {},
  ) {}

  /**
   * Replaces the rules. A rule whose text did not change keeps its aggregates and state; a
   * changed or removed rule's firing alerts resolve (receivers are not left with an alert
   * that nothing will ever close).
   */
  setRules(set: RuleSet): void {
    const now = this.now();
    const next = new Map<string, LiveRule>();
    for (const spec of set.rules) {
      if (!spec.enabled) continue;
      const old = this.rules.get(spec.name);
      if (old && old.spec.fingerprint === spec.fingerprint) {
        next.set(spec.name, old);
        continue;
      }
      next.set(spec.name, {
        spec,
        condition: spec.condition.create(spec.params, now, this.context),
        threshold: spec.condition.threshold(spec.params),
        description: spec.condition.describe(spec.params),
        states: new Map(),
      });
    }
    for (const [name, old] of this.rules) {
      if (next.get(name) === old) continue;
      for (const [key, s] of old.states) if (s.phase === 'firing') this.transition(old, key, s, 'firing', 'resolved', s.value, now);
    }
    this.rules.clear();
    for (const [k, v] of next) this.rules.set(k, v);
  }

  /**
   * After a restart: alerts whose last transition was `firing` resume as firing under the same
   * firing id, so the next evaluation either keeps them (no second firing is delivered) or
   * resolves them with the id receivers already know.
   */
  restore(transitions: readonly AlertTransitionData[]): void {
    const latest = new Map<string, AlertTransitionData>();
    for (const t of transitions) latest.set(`${t.rule}\u0000${t.key}`, t);
    for (const t of latest.values()) {
      const r = this.rules.get(t.rule);
      if (!r || t.to !== 'firing' || r.states.has(t.key)) continue;
      r.states.set(t.key, { phase: 'firing', since: t.since, firedAt: t.at, value: t.value, examples: [...t.examples], agent: t.agent ?? undefined });
    }
  }

  get ruleCount(): number {
    return this.rules.size;
  }

  observe(events: readonly XrayEvent[]): void {
    const now = this.now();
    for (const e of events) {
      if (e.kind === 'alert.transition' || e.agent === ALERTS_AGENT) continue;
      const facts: EventFacts = { call: this.calls.outcomeOf(e) };
      for (const r of this.rules.values()) r.condition.observe(e, facts, now);
    }
  }

  /** Steps every alert of every rule against the clock; emits the transitions. */
  evaluate(): void {
    const now = this.now();
    this.stats.evaluations++;
    for (const r of this.rules.values()) {
      const seen = new Set<string>();
      for (const s of r.condition.evaluate(now)) {
        seen.add(s.key);
        this.step(r, s.key, { holds: s.holds, value: s.value, examples: s.examples }, now, s.agent);
      }
      // A key the condition no longer reports (forgotten, empty window) does not hold.
      for (const [key, st] of r.states) if (!seen.has(key)) this.step(r, key, { holds: false, value: st.value, examples: st.examples }, now, st.agent);
    }
  }

  active(): ActiveAlert[] {
    const out: ActiveAlert[] = [];
    for (const r of this.rules.values())
      for (const [key, s] of r.states)
        out.push({
          rule: r.spec.name,
          key,
          kind: r.spec.kind,
          phase: s.phase,
          severity: r.spec.severity,
          labels: [...r.spec.labels],
          value: s.value,
          threshold: r.threshold,
          description: r.description,
          since: s.since,
          fired_at: s.firedAt,
          examples: s.examples,
          agent: s.agent ?? null,
          firing_id: s.firedAt === null ? null : firingIdOf(r.spec.name, key, s.firedAt),
        });
    return out;
  }

  private step(r: LiveRule, key: string, obs: { holds: boolean; value: number; examples: readonly string[] }, now: number, agent?: string): void {
    const prev = r.states.get(key) ?? null;
    const { state, transition } = stepAlert(prev, obs, now, r.spec.for);
    if (state) r.states.set(key, { ...state, examples: [...state.examples], agent: agent ?? prev?.agent });
    else r.states.delete(key);
    if (!transition) return;
    const firedAt = state?.firedAt ?? prev?.firedAt ?? null;
    const since = state?.since ?? prev?.since ?? now;
    this.transition(r, key, { phase: 'pending', since, firedAt, value: obs.value, examples: [...obs.examples], agent: agent ?? prev?.agent }, transition.from, transition.to, obs.value, now);
  }

  private transition(r: LiveRule, key: string, s: AlertState & { agent?: string }, from: AlertTransitionData['from'], to: AlertTransitionData['to'], value: number, now: number): void {
    this.stats.transitions++;
    this.emit({
      rule: r.spec.name,
      key,
      kind: r.spec.kind,
      from,
      to,
      value,
      threshold: r.threshold,
      description: r.description,
      severity: r.spec.severity,
      labels: [...r.spec.labels],
      summary: r.spec.summary ?? null,
      receivers: r.spec.receivers ?? null,
      examples: [...s.examples],
      agent: s.agent ?? null,
      since: s.since,
      at: now,
      firing_id: s.firedAt === null ? null : firingIdOf(r.spec.name, key, s.firedAt),
    });
  }
}
