/**
 * The one path committed events take to everything that consumes them (server/README.md,
 * "Commit pipeline"). The stages are declared once, by name and in order, by the composition
 * root (xray.ts); a consumer is bound to its stage there, whenever it is built, and runs in
 * the declared order no matter when it was bound. Each stage is isolated: an exception in one
 * is caught, counted and logged, and the stages after it, the writer and the acks still run.
 *
 * Where the events come from is a `CommitSource`: today the log writer's commits; with a
 * shared log, a tail of it feeds the same pipeline.
 */
import type { XrayEvent } from '../lib/protocol/events';

export type CommitListener = (events: readonly XrayEvent[]) => void;

/** Anything that announces committed events, in seq order, each batch once. */
export interface CommitSource {
  /** Calls `listener` with every batch committed from now on; returns the way to stop. */
  onCommit(listener: CommitListener): () => void;
}

export interface StageStats {
  name: string;
  bound: boolean;
  /** Batches this stage threw on (the other stages still saw them). */
  failures: number;
  lastError: string | null;
}

export interface CommitPipelineOptions {
  /** Where failures are reported (default console.error). */
  report?: (line: string) => void;
  now?: () => number;
  /** One report per stage per this many ms at most; the lines in between are counted, not printed. */
  reportEveryMs?: number;
}

interface Stage<Name extends string> {
  name: Name;
  run: CommitListener | null;
  failures: number;
  lastError: string | null;
  lastReportAt: number;
  unreported: number;
}

export class CommitPipeline<Name extends string = string> {
  private readonly stages: Stage<Name>[];
  private readonly byName = new Map<Name, Stage<Name>>();
  private readonly report: (line: string) => void;
  private readonly now: () => number;
  private readonly reportEveryMs: number;

  constructor(order: readonly Name[], options: CommitPipelineOptions = {}) {
    this.report = options.report ?? ((line) => console.error(line));
    this.now = options.now ?? Date.now;
    this.reportEveryMs = options.reportEveryMs ?? 10_000;
    this.stages = order.map((name) => ({ name, run: null, failures: 0, lastError: null, lastReportAt: -Infinity, unreported: 0 }));
    for (const s of this.stages) {
      if (this.byName.has(s.name)) throw new Error(`commit stage "${s.name}" is declared twice`);
      this.byName.set(s.name, s);
    }
  }

  /**
   * Binds the consumer of a declared stage. One consumer per stage: binding it twice is a
   * wiring mistake and throws. Returns the way to unbind (a consumer that shuts down).
   */
  bind(name: Name, run: CommitListener): () => void {
    const stage = this.byName.get(name);
    if (!stage) throw new Error(`no commit stage "${name}"; declared: ${this.stages.map((s) => s.name).join(', ')}`);
    if (stage.run) throw new Error(`commit stage "${name}" is already bound`);
    stage.run = run;
    return () => {
      if (stage.run === run) stage.run = null;
    };
  }

  /** A stage as a `CommitSource`, for consumers that subscribe themselves at the moment they are ready (after a catch-up read). */
  source(name: Name): CommitSource {
    return { onCommit: (listener) => this.bind(name, listener) };
  }

  /** Runs every bound stage, in the declared order, on one committed batch. Never throws. */
  readonly deliver: CommitListener = (events) => {
    for (const stage of this.stages) {
      if (!stage.run) continue;
      try {
        stage.run(events);
      } catch (err) {
        this.failed(stage, err, events);
      }
    }
  };

  /** Feeds the pipeline from `source`; returns the way to stop. */
  attach(source: CommitSource): () => void {
    return source.onCommit(this.deliver);
  }

  stats(): StageStats[] {
    return this.stages.map((s) => ({ name: s.name, bound: s.run !== null, failures: s.failures, lastError: s.lastError }));
  }

  /** Batches any stage threw on, summed over stages. */
  get failures(): number {
    let n = 0;
    for (const s of this.stages) n += s.failures;
    return n;
  }

  private failed(stage: Stage<Name>, err: unknown, events: readonly XrayEvent[]): void {
    stage.failures++;
    stage.lastError = err instanceof Error ? err.message : String(err);
    // A stage that fails on every batch would print a line per commit: report once per interval, with the count.
    const now = this.now();
    if (now - stage.lastReportAt < this.reportEveryMs) {
      stage.unreported++;
      return;
    }
    const more = stage.unreported ? ` (${stage.unreported} more failures since the last report)` : '';
    stage.lastReportAt = now;
    stage.unreported = 0;
    const seqs = events.length ? `seq ${events[0].seq}–${events[events.length - 1].seq}` : 'an empty batch';
    this.report(`[pipeline] commit stage "${stage.name}" failed on ${seqs}; the other stages ran${more}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}
