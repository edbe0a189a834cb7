/**
 * Reads a range of the log a bounded page at a time: one `read` per page, the next page after
 * the last seq of the one before. No caller reads a long range in one call (a networked log
 * would ship it in one reply; SQLite would hold the event loop for it).
 */
import type { XrayEvent } from '../../lib/protocol/events';
import type { EventLog, ReadQuery } from './eventLog';

export interface PageOptions {
  /** Events per read. */
  pageSize?: number;
  /** Events in all, at most (the query's own `limit` is ignored). */
  max?: number;
  /**
   * Seqs one read looks at, at most, with a turn of the event loop between reads: for sparse
   * queries over a long range (start-up priming), where one page could scan the whole range
   * synchronously and hold up everything else — an agent's first ack included. Needs `upTo`.
   */
  seqSpan?: number;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Pages of the events matching `query` (from `query.after`), in seq order, until `max` or the end. */
export async function* readPages(log: EventLog, query: Omit<ReadQuery, 'limit'>, options: PageOptions = {}): AsyncGenerator<XrayEvent[]> {
  const pageSize = Math.max(1, options.pageSize ?? 5000);
  let left = options.max ?? Number.POSITIVE_INFINITY;
  let after = query.after ?? 0;
  const span = options.seqSpan !== undefined && query.upTo !== undefined ? Math.max(1, options.seqSpan) : null;
  while (left > 0) {
    const limit = Math.min(pageSize, left);
    const upTo = span === null ? query.upTo : Math.min(query.upTo!, after + span);
    const page = await log.read({ ...query, after, upTo, limit });
    if (page.length) yield page;
    if (page.length < limit) {
      if (span === null || upTo! >= query.upTo!) return;
      after = upTo!; // this window is done: the next one, after a turn of the loop
      await yieldToLoop();
      continue;
    }
    left -= page.length;
    after = page[page.length - 1].seq;
    if (span !== null) await yieldToLoop();
  }
}

/** Every event matching `query`, at most `max`, read a page at a time. */
export async function readAll(log: EventLog, query: Omit<ReadQuery, 'limit'>, options: PageOptions = {}): Promise<XrayEvent[]> {
  const out: XrayEvent[] = [];
  for await (const page of readPages(log, query, options)) for (const e of page) out.push(e);
  return out;
}
