/**
 * Checks a gate: resolves every cited span against the span index (what the pipeline
 * recorded, never what the agent says), applies the evidence rule, and records the verdict
 * as a `gate.check` event in the trace through the log writer — the answer is sent only once
 * it is durable, like every other acknowledged write. Attempts count per (gate, trace).
 */
import { evaluateGate, type CitedEvidence } from '../../lib/gates/evaluate';
import { XrayError } from '../../lib/protocol/errors';
import type { EventData } from '../../lib/protocol/events';
import { mintEventId, mintSpanId, mintTraceId } from '../../lib/protocol/ids';
import type { GateCheckBody, GateCheckRecord, GateInfo, GateStats, GateVerdict } from '../../lib/protocol/spans';
import type { LogWriter } from '../store/logWriter';
import type { SpanIndex } from '../spans/spanIndex';
import type { GateRegistry } from './gateRegistry';

type CheckInput = Omit<GateCheckBody, 'evidence'> & { evidence: { span_id: string; trace_id?: string }[] };

export class GateService {
  /** Checks submitted but not yet committed, per gate+trace, so concurrent attempts number correctly. */
  private readonly pending = new Map<string, number>();
  readonly stats = { checks: 0, passes: 0 };

  constructor(
    readonly registry: GateRegistry,
    private readonly index: SpanIndex,
    private readonly writer: LogWriter,
    private readonly now: () => number = Date.now,
    /** Resolves once the index holds every span acknowledged so far (cited spans may be seconds old). */
    private readonly settled: () => Promise<void> = () => Promise.resolve(),
  ) {}

  info(): (GateInfo & { stats: GateStats })[] {
    return this.registry.list().map((g) => ({
      name: g.name,
      requirements: g.requirements.map((r) => ({
        name: r.label,
        evidence_type: r.evidence_type,
        ...(r.span_name !== undefined ? { span_name: r.span_name } : {}),
        required_attributes: r.required_attributes,
        ...(r.selector ? { selector: r.selector } : {}),
        ...(r.max_age ? { max_age: r.max_age } : {}),
        same_trace: r.same_trace,
      })),
      stats: this.index.gateStats(g.name),
    }));
  }

  /** Recorded verdicts, newest first (all gates when `gate` is null). */
  recentChecks(gate: string | null, limit: number, before?: number): GateCheckRecord[] {
    return this.index.gateChecks(gate, limit, before);
  }

  private resolve(e: { span_id: string; trace_id?: string }, traceId: string | undefined): CitedEvidence {
    if (e.trace_id) return { ...e, span: this.index.get(e.trace_id, e.span_id) };
    // Span ids are unique per trace only: prefer the check's trace, else the single holder.
    const found = this.index.bySpanId(e.span_id);
    const span = found.find((s) => s.trace_id === traceId) ?? (found.length === 1 ? found[0] : undefined);
    return { ...e, span };
  }

  async check(name: string, body: CheckInput): Promise<GateVerdict> {
    const gate = this.registry.get(name);
    if (!gate) throw new XrayError('unknown_gate', `no gate named "${name}" is configured`);
    await this.settled();
    const cited = body.evidence.map((e) => this.resolve(e, body.trace_id));
    const now = this.now();
    const { verdict, requirements } = evaluateGate(gate, cited, body.trace_id, now, this.index.parentOf);
    const traceId = body.trace_id ?? cited.find((c) => c.span)?.span!.trace_id ?? mintTraceId();
    const key = `${name}\u0000${traceId}`;
    const pending = this.pending.get(key) ?? 0;
    const attempt = this.index.gateAttempts(name, traceId) + pending + 1;
    this.pending.set(key, pending + 1);
    const spanId = mintSpanId();
    const data: EventData['gate.check'] = { gate: name, verdict, attempt, requirements, evidence: body.evidence };
    try {
      await this.writer.submit([
        { id: mintEventId(), ts: now, t: null, kind: 'gate.check', trace_id: traceId, span_id: spanId, parent_span_id: body.parent_span_id ?? null, agent: body.from ?? 'rest', peer: null, topic: null, data },
      ]);
    } finally {
      const left = (this.pending.get(key) ?? 1) - 1;
      if (left > 0) this.pending.set(key, left);
      else this.pending.delete(key);
    }
    this.stats.checks++;
    if (verdict === 'pass') this.stats.passes++;
    return { gate: name, verdict, attempt, trace_id: traceId, check_span_id: spanId, requirements };
  }
}
