/**
 * Sliding windows per key (agent or method): a Map keyed by outside strings, capped at
 * MAX_KEYS_PER_RULE, with keys forgotten once their window is empty.
 */
import { MAX_KEYS_PER_RULE, rememberExample, type Sample } from '../condition';
import { SlidingWindow } from '../slidingWindow';

export interface Keyed<T> {
  window: SlidingWindow<T>;
  examples: string[];
  agent?: string;
}

export class KeyedWindows<T> {
  readonly keys = new Map<string, Keyed<T>>();
  /** Events not counted because the rule already tracks MAX_KEYS_PER_RULE keys. */
  refused = 0;

  constructor(
    private readonly windowMs: number,
    private readonly make: () => T,
    private readonly reset: (cell: T) => void,
  ) {}

  /** The bucket for `ts` under `key`, or null (too old, or no room for a new key). */
  cell(key: string, ts: number, now: number, traceId: string | null, agent?: string): T | null {
    let k = this.keys.get(key);
    if (!k) {
      if (this.keys.size >= MAX_KEYS_PER_RULE) {
        this.refused++;
        return null;
      }
      k = { window: new SlidingWindow(this.windowMs, this.make, this.reset), examples: [], agent };
      this.keys.set(key, k);
    }
    const c = k.window.at(ts, now);
    if (c) rememberExample(k.examples, traceId);
    return c;
  }

  /**
   * One sample per key, measured over its window — keys whose window just emptied included, so
   * their alerts can resolve — then those empty keys are forgotten.
   */
  sample(now: number, measure: (window: SlidingWindow<T>) => { holds: boolean; value: number }): Sample[] {
    const out: Sample[] = [];
    for (const [key, k] of this.keys) out.push({ key, ...measure(k.window), examples: k.examples, agent: k.agent });
    for (const [key, k] of this.keys) if (k.window.isEmpty(now)) this.keys.delete(key);
    return out;
  }
}
