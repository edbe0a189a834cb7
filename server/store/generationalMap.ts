/**
 * A map that remembers the most recent keys, forgetting in bulk: between `capacity / 2` and
 * `capacity` of the newest entries are kept. Writes go to a young generation; when it holds
 * `capacity / 2` keys it becomes the old generation and the previous old one is dropped whole.
 *
 * Why not BoundedMap (first in, first out, exactly `capacity`): that costs three hash
 * operations per insert (look up, evict the oldest, insert) and leaves deleted slots in V8's
 * table for rehashes to sweep. On the ingest path (a write per traced event: the lamport
 * clocks; a window of recent ids until it was removed) its `set` was 9% of the server's CPU in
 * a profile of batched ingest (issue 18). Here an insert is one hash operation and a lookup at
 * most two, and a dropped generation is freed by the GC in one piece. For state that can be
 * recovered when dropped ("at least the newest half" is all that is promised): a caller must
 * not assume an entry it saw a moment ago is still there (LogWriter reads each commit's clocks
 * once, before stamping, for that reason).
 */
export class GenerationalMap<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly half: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`capacity must be an integer ≥ 2, got ${capacity}`);
    this.half = capacity >> 1;
  }

  get(key: K): V | undefined {
    const v = this.young.get(key);
    return v !== undefined ? v : this.old.get(key);
  }

  /** Inserts or updates in the young generation (an old entry of the same key is shadowed, then dropped with its generation). */
  set(key: K, value: V): this {
    this.young.set(key, value);
    if (this.young.size >= this.half) {
      this.old = this.young;
      this.young = new Map();
    }
    return this;
  }

  /** Entries held, counting a key shadowed in both generations twice (an upper bound; for metrics and tests). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
