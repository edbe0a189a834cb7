/**
 * Whole-trace API reads (`/api/traces/:id`, `/timeline`), computed once per trace version and
 * shared. The events are read from the log in bounded pages with a turn of the event loop
 * between them, the response is built and serialized once, and the JSON text is kept, keyed
 * by trace and by the trace's last seq: a read loop on a big trace costs one cheap index
 * probe ("anything newer than what we built?") and a write of the cached text. Concurrent
 * requests for a trace being built join that build. A view whose fold can take more events
 * after it is finished (`resumable`) keeps its fold state too, so a trace that grew is brought
 * up to date by reading only what is new.
 */
import type { XrayEvent } from '../../lib/protocol/events';
import type { EventLog } from '../store/eventLog';
import { yieldToLoop } from '../yieldToLoop';

interface Entry {
  lastSeq: number;
  body: string;
  /** A resumable view's fold state as of `lastSeq` (see `TraceView.resumable`) and the events in it. */
  resume?: { state: unknown; read: number; bytes: number };
}

/** A view of a whole trace, folded page by page (each page in seq order, after the previous one). */
export interface TraceView<S> {
  name: string;
  start(traceId: string): S;
  add(state: S, page: readonly XrayEvent[]): void;
  finish(state: S): unknown;
  /**
   * Set when `finish` leaves the state as it was: the fold state is then kept with the body,
   * and when the trace grows the next build reads only the events after the last one instead
   * of the whole trace again (a live trace of 100,000 events refetched every second would
   * otherwise read all of them every second). `stateBytes` estimates what keeping it costs.
   */
  resumable?: { stateBytes(state: S): number };
}

export interface TraceReadCacheOptions {
  pageEvents?: number;
  maxEntries?: number;
  maxBytes?: number;
  /** Fold states kept for resumable views, by their estimated size; the least recently used go first. */
  maxResumeBytes?: number;
  /** Most events one trace read takes (far above 1,000 spans + 100,000 tokens). */
  maxEvents?: number;
}

export class TraceReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly building = new Map<string, Promise<Entry | null>>();
  private bytes = 0;
  private resumeBytes = 0;
  private readonly o: Required<TraceReadCacheOptions>;
  /** `resumed`: builds that continued a kept fold state (also counted in `builds`). */
  readonly stats = { builds: 0, hits: 0, resumed: 0 };

  constructor(
    private readonly log: EventLog,
    options: TraceReadCacheOptions = {},
  ) {
    this.o = { pageEvents: 1000, maxEntries: 32, maxBytes: 64 * 1024 * 1024, maxResumeBytes: 64 * 1024 * 1024, maxEvents: 1_000_000, ...options };
  }

  /** Drops every cached view of a trace (retention deleted it: a cached body would outlive its events). */
  forget(traceId: string): void {
    for (const key of [...this.entries.keys()]) if (key.endsWith(`:${traceId}`)) this.drop(key);
  }

  /** The rendered JSON of a trace, or null when the log holds no events for it. */
  async get<S>(view: TraceView<S>, traceId: string): Promise<string | null> {
    const key = `${view.name}:${traceId}`;
    const running = this.building.get(key);
    if (running) return (await running)?.body ?? null;
    const cached = this.entries.get(key);
    // One index probe: has the trace grown since this was built?
    if (cached && (await this.log.read({ traceId, after: cached.lastSeq, limit: 1 })).length === 0) {
      this.stats.hits++;
      if (this.entries.get(key) === cached) {
        this.entries.delete(key);
        this.entries.set(key, cached); // most recently used last
      }
      return cached.body;
    }
    // A request that arrived while the probe was out may have started the build: join it.
    const started = this.building.get(key);
    if (started) return (await started)?.body ?? null;
    // The kept fold state is taken out of the cache while a build advances it: if that build
    // fails part-way, the state holds events past its entry's lastSeq and must not be resumed.
    const resume = cached?.resume;
    if (resume) this.dropResume(cached);
    const build = this.build(traceId, view, resume && cached ? { state: resume.state as S, after: cached.lastSeq, read: resume.read } : null).finally(() => this.building.delete(key));
    this.building.set(key, build);
    const entry = await build;
    if (!entry) return null;
    this.store(key, entry);
    return entry.body;
  }

  private async build<S>(traceId: string, view: TraceView<S>, from: { state: S; after: number; read: number } | null): Promise<Entry | null> {
    this.stats.builds++;
    if (from) this.stats.resumed++;
    const state = from?.state ?? view.start(traceId);
    let after = from?.after ?? 0;
    let read = from?.read ?? 0;
    for (;;) {
      const page = await this.log.read({ traceId, after, limit: Math.min(this.o.pageEvents, this.o.maxEvents - read) });
      if (page.length) view.add(state, page);
      read += page.length;
      if (page.length) after = page[page.length - 1].seq;
      if (page.length < this.o.pageEvents || read >= this.o.maxEvents) break;
      await yieldToLoop();
    }
    if (!read) return null;
    await yieldToLoop();
    const result = view.finish(state);
    await yieldToLoop(); // assembling the tree and serializing it are the two biggest single steps: not in one turn
    const entry: Entry = { lastSeq: after, body: JSON.stringify(result) };
    // A trace cut at maxEvents is not resumed (the next build would fold past the cut), nor is
    // one whose state alone is over the budget (it would only push the others' out).
    const bytes = view.resumable && read < this.o.maxEvents ? view.resumable.stateBytes(state) : Infinity;
    if (bytes <= this.o.maxResumeBytes) entry.resume = { state, read, bytes };
    return entry;
  }

  private store(key: string, entry: Entry): void {
    this.drop(key);
    this.entries.set(key, entry);
    this.bytes += entry.body.length * 2;
    if (entry.resume) this.resumeBytes += entry.resume.bytes;
    for (const [k] of this.entries) {
      if (this.entries.size <= 1 || (this.entries.size <= this.o.maxEntries && this.bytes <= this.o.maxBytes)) break;
      this.drop(k);
    }
    // Fold states are dearer than bodies: past their budget the oldest lose theirs (the body stays).
    for (const e of this.entries.values()) {
      if (this.resumeBytes <= this.o.maxResumeBytes) break;
      this.dropResume(e);
    }
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.dropResume(e);
    this.bytes -= e.body.length * 2;
    this.entries.delete(key);
  }

  private dropResume(e: Entry): void {
    if (!e.resume) return;
    this.resumeBytes -= e.resume.bytes;
    delete e.resume;
  }
}
