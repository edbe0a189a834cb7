/**
 * An EventLog that answers every call later (after `delayMs`), as a networked log would, over
 * any other log: for tests of callers that must stay correct while a call is out (commits
 * announced meanwhile, requests that join a build). Counts calls and appends in flight.
 */
import type { EventLog } from '../store/eventLog';

export interface SlowLogCalls {
  append: number;
  read: number;
  maxLamport: number;
  inFlight: number;
  maxInFlight: number;
}

/** `delayMs` for every call, or per call kind (`read` for reads, `other` for the rest). */
export function slowEventLog(inner: EventLog, delayMs: number | { read: number; other: number } = 5): { log: EventLog; calls: SlowLogCalls } {
  const calls: SlowLogCalls = { append: 0, read: 0, maxLamport: 0, inFlight: 0, maxInFlight: 0 };
  const delays = typeof delayMs === 'number' ? { read: delayMs, other: delayMs } : delayMs;
  // The inner call runs at once (an append is stored now); only its answer is late. Its outcome
  // is taken at once too, so a failed append is not an unhandled rejection while it waits.
  const after = <T>(ms: number, v: Promise<T>) =>
    new Promise<T>((resolve, reject) => v.then((value) => setTimeout(() => resolve(value), ms), (err: unknown) => setTimeout(() => reject(err), ms)));
  const later = <T>(v: Promise<T>) => after(delays.other, v);
  const log: EventLog = {
    async append(events) {
      calls.append++;
      calls.maxInFlight = Math.max(calls.maxInFlight, ++calls.inFlight);
      try {
        return await later(inner.append(events));
      } finally {
        calls.inFlight--;
      }
    },
    read(q) {
      calls.read++;
      return after(delays.read, inner.read(q));
    },
    maxLamport(traceId) {
      calls.maxLamport++;
      return later(inner.maxLamport(traceId));
    },
    head: () => later(inner.head()),
    seqOf: (id, scope) => later(inner.seqOf(id, scope)),
    listTraces: (q) => later(inner.listTraces(q)),
    floor: () => later(inner.floor()),
    oldestSeq: () => later(inner.oldestSeq()),
    isExpiredTrace: (t) => later(inner.isExpiredTrace(t)),
    close: () => inner.close(),
  };
  return { log, calls };
}
