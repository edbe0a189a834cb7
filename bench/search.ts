/**
 * `/api/traces?q=` text search over a big log (issue 18: ≤ 200 ms over 10M logged tokens).
 * Starts the real server on the cached big-log fixture (bigLog.ts) and times the HTTP request
 * for a few kinds of query, each repeated; the figure is the median.
 */
import { buildBigLog } from './bigLog';
import { startOn } from './bigLogServer';
import { median } from './stats';

export interface SearchBenchOptions {
  /** Token events in the fixture (10M full, 200k quick). */
  events: number;
  repeats: number;
  port: number;
  relayPort: number;
  log?: (line: string) => void;
}

export interface SearchQueryResult {
  kind: string;
  q: string;
  /** Traces in the first page (limit 50) and whether the answer says there is more to page through. */
  traces: number;
  nextBefore: number | null;
  firstMs: number;
  medianMs: number;
  maxMs: number;
  runs: number;
}

export interface SearchBenchResult {
  events: number;
  traces: number;
  fixtureCached: boolean;
  fixtureBuildSeconds: number;
  fixtureBytes: number;
  queries: SearchQueryResult[];
  /** The slowest median of the indexed kinds: the row's figure. */
  worstMedianMs: number;
}

export async function benchSearch(o: SearchBenchOptions): Promise<SearchBenchResult> {
  const log = o.log ?? ((l: string) => console.log(l));
  const fixture = await buildBigLog({ events: o.events, progress: log });
  const server = await startOn(fixture.dataDir, o.port, o.relayPort);
  try {
    const kinds = [
      { kind: 'rare word', q: fixture.rareWord },
      { kind: 'common word', q: fixture.commonWord },
      { kind: 'trace id fragment', q: fixture.sampleTraceId.slice(9, 21) },
      { kind: 'no match', q: 'quixotic zebra' },
      { kind: 'two characters (bounded scan)', q: 'zq' },
    ];
    const queries: SearchQueryResult[] = [];
    for (const k of kinds) {
      const times: number[] = [];
      let last: { traces: unknown[]; next_before: number | null } = { traces: [], next_before: null };
      for (let i = 0; i < o.repeats; i++) {
        const t0 = performance.now();
        last = await server.get(`/api/traces?limit=50&q=${encodeURIComponent(k.q)}`);
        times.push(performance.now() - t0);
      }
      const r = { ...k, traces: last.traces.length, nextBefore: last.next_before, firstMs: round(times[0]), medianMs: round(median(times)), maxMs: round(Math.max(...times)), runs: times.length };
      log(`[search] ${k.kind} "${k.q}": ${r.traces} traces, median ${r.medianMs} ms (first ${r.firstMs} ms, max ${r.maxMs} ms, ${r.runs} runs)`);
      queries.push(r);
    }
    return {
      events: fixture.events,
      traces: fixture.traces,
      fixtureCached: fixture.cached,
      fixtureBuildSeconds: fixture.buildSeconds,
      fixtureBytes: fixture.bytes,
      queries,
      worstMedianMs: Math.max(...queries.filter((q) => !q.kind.includes('bounded')).map((q) => q.medianMs)),
    };
  } finally {
    await server.stop();
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
