/**
 * A Map that forgets its oldest entries past `capacity` (first-inserted first out). Eviction
 * order lives in a ring of keys: evicting through `keys().next()` would scan every deleted
 * slot at the front of V8's hash table, turning a full window quadratic under load.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  private readonly ring: (K | undefined)[];
  private head = 0;

  constructor(private readonly capacity: number) {
    super();
    this.ring = new Array(capacity);
  }

  override set(key: K, value: V): this {
    if (super.has(key)) {
      super.set(key, value); // an update keeps its place in the eviction order
      return this;
    }
    if (this.size >= this.capacity) {
      const oldest = this.ring[this.head];
      if (oldest !== undefined) super.delete(oldest);
    }
    this.ring[this.head] = key;
    this.head = (this.head + 1) % this.capacity;
    super.set(key, value);
    return this;
  }

  override delete(key: K): boolean {
    // The key's ring slot is left behind; evicting it later is a harmless no-op delete.
    return super.delete(key);
  }
}
