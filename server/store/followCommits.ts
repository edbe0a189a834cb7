/**
 * Start-up of a commit consumer that first reads the recent log (the session index, alert
 * windows): subscribe, read the log up to the writer's head as it is at that moment, then
 * take the commits announced while the reads were out, in order, and go live. The log reads
 * are asynchronous, so subscribing after them would lose the commits in between and
 * subscribing before them without holding those commits back would apply them out of order.
 */
import type { XrayEvent } from '../../lib/protocol/events';
import type { CommitListener, CommitSource } from '../commitPipeline';

/**
 * Subscribes `apply` to `commits` at once (its commit-pipeline stage) and runs `prime(head)`,
 * which must read the log up to `head` at most — `head` is the last seq `commits` announced,
 * taken in the same synchronous run as the subscription (`LogWriter.head()`). Commits after
 * `head` reach `apply` after `prime` ends (even if it fails), then live. `ready` settles when
 * `prime` has; it rejects with `prime`'s error.
 */
export function primeThenFollow(commits: CommitSource, head: number, prime: (head: number) => Promise<void>, apply: CommitListener): { unsubscribe: () => void; ready: Promise<void> } {
  let waiting: (readonly XrayEvent[])[] | null = [];
  const unsubscribe = commits.onCommit((events) => (waiting ? waiting.push(events) : apply(events)));
  const release = () => {
    const held = waiting ?? [];
    waiting = null;
    for (const events of held) apply(events);
  };
  const ready = prime(head).finally(release);
  return { unsubscribe, ready };
}
