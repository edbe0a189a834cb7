/**
 * The trace page's reads, split so the first screen costs what it shows: the outline (the
 * tree without token text, built and serialized once per trace version through a
 * TraceReadCache) and the assembled text of the nodes the page actually displays, kept from
 * that same build — a trace is folded from the log once per version, not once per read.
 *
 * Text is asked for "as of seq S" (the page's stream origin: the seq its live trace stream
 * continues from), so the page can add the streamed tokens after S without counting any
 * twice. Texts built at the trace's last seq L serve every S ≥ L while the trace has no
 * event in (L, S] (one index probe); an S before L (the trace grew since the page opened)
 * gets its own bounded build, read only up to S. Entries are kept by recency within a byte
 * budget.
 */
import type { PriceTable } from '../../lib/cost/prices';
import { accumulatorBytes, addTraceEvents, finishTrace, finishTraceSoFar, newTraceAccumulator, type TraceAccumulator } from '../../lib/trace/buildTrace';
import { searchTexts, splitTrace } from '../../lib/trace/traceOutline';
import type { EventLog } from '../store/eventLog';
import { yieldToLoop } from '../yieldToLoop';
import { TraceReadCache, type TraceView } from './traceReadCache';

export interface TraceTexts {
  traceId: string;
  /** The trace's last seq these texts include. */
  lastSeq: number;
  /** Valid as of every seq in [lastSeq, validUpTo] (no event of the trace in between). */
  validUpTo: number;
  texts: Map<string, string>;
  /** Node ids in waterfall order (search answers in this order). */
  order: string[];
  bytes: number;
}

export interface TracePartsOptions {
  pageEvents?: number;
  /** Most events one trace build reads (a 10,000-span / 1,000,000-token trace is ~1.02M). */
  maxEvents?: number;
  maxTextBytes?: number;
  maxTextEntries?: number;
}

export class TraceParts {
  readonly reads: TraceReadCache;
  private readonly entries = new Map<string, TraceTexts>();
  private readonly building = new Map<string, Promise<TraceTexts | null>>();
  private bytes = 0;
  private readonly o: Required<TracePartsOptions>;
  private readonly outlineView: TraceView<TraceAccumulator>;
  readonly stats = { textBuilds: 0, textHits: 0 };

  constructor(
    private readonly log: EventLog,
    private readonly prices: PriceTable | null = null,
    options: TracePartsOptions = {},
  ) {
    this.o = { pageEvents: 2000, maxEvents: 2_500_000, maxTextBytes: 96 * 1024 * 1024, maxTextEntries: 32, ...options };
    this.reads = new TraceReadCache(log, { pageEvents: this.o.pageEvents, maxEvents: this.o.maxEvents });
    this.outlineView = {
      name: 'outline',
      start: newTraceAccumulator,
      add: (acc, page) => void addTraceEvents(acc, page),
      // A live trace's outline is refetched as it grows: each build continues the last one.
      resumable: { stateBytes: accumulatorBytes },
      finish: (acc) => {
        const tree = finishTraceSoFar(acc, { prices: this.prices ?? undefined });
        const { outline, texts } = splitTrace(tree);
        this.remember({ traceId: tree.traceId, lastSeq: tree.headSeq, validUpTo: tree.headSeq, texts, order: tree.order, bytes: textBytes(texts) });
        return outline;
      },
    };
  }

  /** The outline's JSON text, or null when the log holds no events for the trace. */
  outline(traceId: string): Promise<string | null> {
    return this.reads.get(this.outlineView, traceId);
  }

  forget(traceId: string): void {
    this.reads.forget(traceId);
    for (const [k, e] of this.entries) if (e.traceId === traceId) this.drop(k);
  }

  /** The trace's texts as of `asOf` (null when the log holds nothing of the trace up to it). */
  async texts(traceId: string, asOf: number): Promise<TraceTexts | null> {
    for (const [k, e] of this.entries) {
      if (e.traceId !== traceId || e.lastSeq > asOf) continue;
      if (e.validUpTo < asOf) {
        // One index probe: did the trace get events after what these texts hold, up to asOf?
        const newer = await this.log.read({ traceId, after: e.validUpTo, upTo: asOf, limit: 1 });
        if (newer.length) continue;
        e.validUpTo = asOf;
      }
      this.stats.textHits++;
      this.entries.delete(k);
      this.entries.set(k, e); // most recently used last
      return e;
    }
    const key = `${traceId}@${asOf}`;
    let build = this.building.get(key);
    if (!build) {
      build = this.build(traceId, asOf).finally(() => this.building.delete(key));
      this.building.set(key, build);
    }
    return build;
  }

  /** Node ids whose text as of `asOf` contains `query`, in waterfall order. */
  async search(traceId: string, asOf: number, query: string): Promise<string[] | null> {
    const t = await this.texts(traceId, asOf);
    return t ? searchTexts(t.order, t.texts, query) : null;
  }

  /** Folds the trace's events up to `asOf` from the log, page by page, yielding the loop between pages. */
  private async build(traceId: string, asOf: number): Promise<TraceTexts | null> {
    this.stats.textBuilds++;
    const acc = newTraceAccumulator(traceId);
    let after = 0;
    let read = 0;
    for (;;) {
      const page = await this.log.read({ traceId, after, upTo: asOf, limit: this.o.pageEvents });
      if (page.length) {
        addTraceEvents(acc, page);
        after = page[page.length - 1].seq;
      }
      read += page.length;
      if (page.length < this.o.pageEvents || read >= this.o.maxEvents) break;
      await yieldToLoop();
    }
    if (!read) return null;
    await yieldToLoop();
    const tree = finishTrace(acc);
    const texts = new Map<string, string>();
    for (const id of tree.order) if (tree.nodes[id].text) texts.set(id, tree.nodes[id].text);
    const entry: TraceTexts = { traceId, lastSeq: tree.headSeq, validUpTo: asOf, texts, order: tree.order, bytes: textBytes(texts) };
    this.remember(entry);
    return entry;
  }

  private remember(e: TraceTexts): void {
    const key = `${e.traceId}@${e.lastSeq}`;
    this.drop(key);
    this.entries.set(key, e);
    this.bytes += e.bytes;
    for (const [k] of this.entries) {
      if (this.entries.size <= 1 || (this.entries.size <= this.o.maxTextEntries && this.bytes <= this.o.maxTextBytes)) break;
      this.drop(k);
    }
  }

  private drop(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.bytes -= old.bytes;
    this.entries.delete(key);
  }
}

function textBytes(texts: ReadonlyMap<string, string>): number {
  let n = 0;
  for (const [k, v] of texts) n += (k.length + v.length) * 2 + 64;
  return n;
}
