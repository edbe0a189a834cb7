/**
 * `span_match`: spans matching a span selector (`span[name="deploy" status=error]`, the same
 * parser and matcher as span queries, watches and gates) counted per sliding window; fires
 * when more than `above` (default 0) matched. A span is judged once, when it completes.
 * Descendant selectors look parents up among recently seen spans (bounded).
 */
import { z } from 'zod';
import { spanUpdateOf } from '../../../server/spans/spanUpdates';
import { spanKey } from '../../model/keys';
import { matches, type SpanRecord } from '../../selector/match';
import { parseSelector, SELECTOR_LIMITS, type SelectorList } from '../../selector/parse';
import type { ConditionKind } from '../condition';
import { duration, formatDuration } from '../duration';
import { BoundedRecency } from './boundedRecency';
import { KeyedWindows } from './keyedWindows';

/**
 * Spans remembered per rule: open ones, and — only for descendant selectors — closed ones as
 * possible ancestors. 200 rules × this stays within tens of MB.
 */
const MAX_SPANS = 5_000;

const selector = z
  .string()
  .min(1)
  .max(SELECTOR_LIMITS.maxLength)
  .transform((text, ctx): SelectorList => {
    try {
      return parseSelector(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

const params = z.object({
  selector,
  by: z.enum(['agent']).optional(),
  window: duration(1000),
  above: z.number().int().min(0).default(0),
});
type Params = z.output<typeof params>;

export const spanMatch: ConditionKind<Params> = {
  kind: 'span_match',
  params,
  describe: (p) => `more than ${p.above} spans matching ${p.selector.source} per ${formatDuration(p.window)}`,
  threshold: (p) => p.above,
  create(p) {
    const windows = new KeyedWindows<{ n: number }>(p.window, () => ({ n: 0 }), (c) => (c.n = 0));
    const spans = new BoundedRecency<SpanRecord>(MAX_SPANS);
    const parentOf = (traceId: string, spanId: string) => spans.get(spanKey(traceId, spanId));
    const needsAncestors = p.selector.alternatives.some((a) => a.path.length > 1);
    return {
      observe(e, _facts, now) {
        const u = spanUpdateOf(e);
        if (!u) return;
        const key = spanKey(u.trace_id, u.span_id);
        const span = spans.touch(key, () => ({ trace_id: u.trace_id, span_id: u.span_id, parent_span_id: null, name: '', agent: e.agent, status: 'unset', kind: 'sdk', start: e.t ?? e.ts, end: null, attributes: Object.create(null) }));
        if (u.open) Object.assign(span, u.open);
        if (u.attributes) for (const [k, v] of Object.entries(u.attributes)) span.attributes[k] = v; // null-prototype target: `__proto__` stays data
        if (!u.close) return;
        span.status = u.close.status;
        span.end = u.close.end;
        // Without descendant paths a closed span is never looked up again.
        if (!needsAncestors) spans.delete(key);
        if (!matches(span, p.selector, parentOf)) return;
        const cell = windows.cell(p.by === 'agent' ? span.agent : '', e.ts, now, span.trace_id, p.by === 'agent' ? span.agent : undefined);
        if (cell) cell.n++;
      },
      evaluate(now) {
        return windows.sample(now, (w) => {
          let n = 0;
          w.forEach(now, (c) => (n += c.n));
          return { holds: n > p.above, value: n };
        });
      },
    };
  },
};
