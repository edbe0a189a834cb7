import { describe, expect, it } from 'vitest';
import { buildTrace } from './buildTrace';
import { firstSelection, searchTexts, splitTrace } from './traceOutline';
import type { XrayEvent } from '../protocol/events';

const T = 'a'.repeat(32);
const ROOT = '1'.repeat(16);
const BAD = '2'.repeat(16);
let seq = 0;
const e = (kind: string, span: string, data: Record<string, unknown>, parent: string | null = null) =>
  ({ seq: ++seq, id: `e${seq}`, ts: 1000 + seq, t: null, kind, trace_id: T, span_id: span, parent_span_id: parent, agent: 'a1', peer: null, topic: null, lamport: seq, data }) as unknown as XrayEvent;

const events = [
  e('span.start', ROOT, { name: 'plan', attributes: {} }),
  e('token', ROOT, { text: 'Hello ' }),
  e('token', ROOT, { text: 'World' }),
  e('span.start', BAD, { name: 'tool', attributes: {} }, ROOT),
  e('token', BAD, { text: 'x'.repeat(500) }),
  e('span.end', BAD, { status: 'error', error: 'boom' }),
  e('span.end', ROOT, { status: 'ok' }),
];

describe('splitTrace (the trace page outline)', () => {
  it('[V10] the outline carries no token text, only how much there is; the texts are kept by node', () => {
    const tree = buildTrace(T, events);
    const { outline, texts } = splitTrace(tree);
    expect(outline.outline).toBe(true);
    expect(outline.nodes[ROOT].text).toBe('');
    expect(outline.nodes[ROOT].textChars).toBe(11);
    expect(texts.get(ROOT)).toBe('Hello World');
    expect(texts.get(BAD)).toHaveLength(500);
    // Structure is untouched: same order, failures, tokens.
    expect(outline.order).toEqual(tree.order);
    expect(outline.failures).toEqual(tree.failures);
    expect(outline.tokens).toBe(3);
    // The built tree itself is not changed by splitting it.
    expect(tree.nodes[ROOT].text).toBe('Hello World');
  });

  it('[V10] only nodes on a failure path keep a preview of their text, cut short', () => {
    const { outline } = splitTrace(buildTrace(T, events), 160);
    // The root is on the failure path (its child failed) and keeps its short text whole.
    expect(outline.nodes[ROOT].preview).toBe('Hello World');
    expect(outline.nodes[BAD].preview).toHaveLength(160);
    const ok = splitTrace(buildTrace(T, events.filter((x) => x.span_id === ROOT))).outline;
    expect(ok.nodes[ROOT].preview).toBeUndefined();
  });

  it('[V10] the outline carries the text of the node the page selects first (the root cause), so the first screen needs one request', () => {
    const tree = buildTrace(T, events);
    expect(firstSelection(tree)).toBe(BAD);
    const { outline } = splitTrace(tree);
    expect(outline.first).toEqual({ id: BAD, text: 'x'.repeat(500), chars: 500, truncated: false });
    const healthy = splitTrace(buildTrace(T, events.filter((x) => x.span_id === ROOT))).outline;
    expect(healthy.first).toEqual({ id: ROOT, text: 'Hello World', chars: 11, truncated: false });
  });

  it('[V10] searchTexts finds nodes by text, case-insensitively, in waterfall order', () => {
    const { outline, texts } = splitTrace(buildTrace(T, events));
    expect(searchTexts(outline.order, texts, 'world')).toEqual([ROOT]);
    expect(searchTexts(outline.order, texts, 'XXX')).toEqual([BAD]);
    expect(searchTexts(outline.order, texts, '  ')).toEqual([]);
    expect(searchTexts(outline.order, texts, 'absent')).toEqual([]);
  });
});
