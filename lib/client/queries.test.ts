import { QueryClient } from '@tanstack/react-query';
import { afterEach, expect, it, vi } from 'vitest';
import type { EventKind, XrayEvent } from '../protocol/events';
import { eventFactory } from '../testing/events';
import { buildTrace } from '../trace/buildTrace';
import { traceQuery } from './queries';

const TRACE = 'a'.repeat(32);
const SPAN = '1'.repeat(16);
const events = eventFactory({ trace_id: TRACE, span_id: SPAN, agent: '__proto__' });
const ev = (seq: number, kind: EventKind, data: object): XrayEvent => events.make(kind, { seq, data }) as XrayEvent;

afterEach(() => vi.unstubAllGlobals());

it('[G6] a refetched trace keeps a `__proto__` attribute key and its null-prototype dictionaries', async () => {
  // The first fetch: the span has started; the refetch: it ended with more attributes.
  const start = ev(1, 'span.start', { name: 'chat', attributes: { constructor: 'c' } });
  const trees = [buildTrace(TRACE, [start]), buildTrace(TRACE, [start, ev(2, 'span.end', { status: 'ok', attributes: JSON.parse('{"__proto__":"kept","k":"v"}') })])];
  vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(trees.shift()), { status: 200 })));
  const client = new QueryClient();
  await client.fetchQuery(traceQuery(TRACE));
  await client.fetchQuery({ ...traceQuery(TRACE), staleTime: 0 });
  const tree = client.getQueryData(traceQuery(TRACE).queryKey)!;
  const attrs = tree.nodes[SPAN].attributes;
  expect(Object.keys(attrs).sort()).toEqual(['__proto__', 'constructor', 'k']);
  expect(attrs.__proto__).toBe('kept');
  expect(Object.getPrototypeOf(tree.nodes)).toBeNull();
  expect(tree.nodes.toString).toBeUndefined();
});
