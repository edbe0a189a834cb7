/**
 * Resuming a trace stream from a seq older than the fanout window. A trace page loads the
 * trace up to its last seq L over REST, then subscribes with `after: L`; on a busy server L
 * has long left the window, and without help the subscription would fall back to a full
 * snapshot — the whole trace read and sent a second time. A trace scope sees only its own
 * events, so when the trace has none in (L, head], "resume after L" and "resume after head"
 * are the same stream: one index probe decides.
 */
import type { EventLog } from '../store/eventLog';

/** True when the log holds no event of `traceId` in (after, upTo]. */
export async function traceQuietBetween(log: EventLog, traceId: string, after: number, upTo: number): Promise<boolean> {
  if (after >= upTo) return true;
  const newer = await log.read({ traceId, after, upTo, limit: 1 });
  return newer.length === 0;
}
