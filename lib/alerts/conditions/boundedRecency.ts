/**
 * A Map of per-agent state that keeps the most recently touched `capacity` entries: agents
 * seen long ago make room for new ones, so invented names cannot grow it without bound.
 */
export class BoundedRecency<V> extends Map<string, V> {
  constructor(private readonly capacity: number) {
    super();
  }

  touch(key: string, make: () => V): V {
    let v = this.get(key);
    if (v !== undefined) this.delete(key); // re-insert: Map order is recency order
    else v = make();
    this.set(key, v);
    if (this.size > this.capacity) this.delete(this.keys().next().value as string);
    return v;
  }
}
