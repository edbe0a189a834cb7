/**
 * What the event loop and the SQLite writer thread say to each other (sqliteWriterThread.ts,
 * sqliteWriterWorker.ts), in the forms cheapest for the event loop: a batch goes as one JSON
 * string (V8's JSON.stringify fast path; the clone of a string is a copy, where a structured
 * clone of the event objects cost the loop ~2.5 µs per event), and the answer as one
 * transferred Float64Array of seqs, negative for a duplicate (where cloning back one result
 * object per event cost about twice that again). Measured with bench/relayCpu.ts.
 */
import type { AppendResult, StampedEvent } from './eventLog';

export interface WriterSetup {
  file: string;
  synchronous: 'NORMAL' | 'FULL';
  busyTimeoutMs: number;
  autoCheckpointPages: number;
}

export type WriterRequest =
  | { type: 'append'; id: number; /** JSON of the StampedEvent[] */ batch: string }
  | { type: 'autocheckpoint'; pages: number }
  | { type: 'close' };

/** The answer to one append: its results, or SQLite's error (code kept, so storage health can classify it). */
export type WriterReply = { id: number; seqs: Float64Array } | { id: number; error: { message: string; code?: string } };

/** The writer thread's side: results as seqs, a duplicate's negated. */
export function encodeResults(results: readonly AppendResult[]): Float64Array {
  const seqs = new Float64Array(results.length);
  for (let i = 0; i < results.length; i++) seqs[i] = results[i].duplicate ? -results[i].seq : results[i].seq;
  return seqs;
}

/** The event loop's side: the results again, the ids taken from the events sent. */
export function decodeResults(events: readonly StampedEvent[], seqs: Float64Array): AppendResult[] {
  if (seqs.length !== events.length) throw new Error(`the writer thread answered ${seqs.length} results for ${events.length} events`);
  const results = new Array<AppendResult>(events.length);
  for (let i = 0; i < events.length; i++) {
    const s = seqs[i];
    results[i] = { id: events[i].id, seq: s < 0 ? -s : s, duplicate: s < 0 };
  }
  return results;
}

