/**
 * A span's usage may be reported on its start, its end, or both (OTLP puts the attributes on
 * both): count each span once, on the first of its events that carries usage. Bounded: the
 * oldest remembered spans are forgotten beyond MAX_SPANS.
 */
import type { Attributes, XrayEvent } from '../../protocol/events';
import { BoundedRecency } from './boundedRecency';

const MAX_SPANS = 100_000;

export class UsageOnce {
  private readonly counted = new BoundedRecency<true>(MAX_SPANS);

  /** The attributes to count for this event, or null (no usage, or this span was counted). */
  attributesOf(e: XrayEvent, hasUsage: (a: Attributes) => boolean): Attributes | null {
    if (e.kind !== 'span.start' && e.kind !== 'span.end') return null;
    const a = e.data.attributes;
    if (!a || !hasUsage(a)) return null;
    const key = `${e.trace_id ?? ''}\u0000${e.span_id ?? e.id}`;
    if (this.counted.has(key)) return null;
    this.counted.touch(key, () => true);
    return a;
  }
}
