/**
 * Start-up of a commit consumer that first reads the recent log (the session index, alert
 * windows): subscribe, read the log up to the writer's head as it is at that moment, then
 * take the commits announced while the reads were out, in order, and go live. The log reads
 * are asynchronous, so subscribing after them would lose the commits in between and
 * subscribing before them without holding those commits back would apply them out of order.
 */
import type { XrayEvent } from '../../lib/protocol/events';
import type { CommitListener, LogWriter } from './logWriter';

/**
 * Subscribes `apply` to the writer's commits at once (so it keeps its place among the commit
 * listeners) and runs `prime(head)`, which must read the log up to `head` at most; commits
 * after `head` reach `apply` after `prime` ends (even if it fails), then live. `ready`
 * settles when `prime` has; it rejects with `prime`'s error.
 */
export function primeThenFollow(writer: LogWriter, prime: (head: number) => Promise<void>, apply: CommitListener): { unsubscribe: () => void; ready: Promise<void> } {
  let waiting: (readonly XrayEvent[])[] | null = [];
  const unsubscribe = writer.onCommit((events) => (waiting ? waiting.push(events) : apply(events)));
  const release = () => {
    const held = waiting ?? [];
    waiting = null;
    for (const events of held) apply(events);
  };
  const ready = prime(writer.head()).finally(release);
  return { unsubscribe, ready };
}
