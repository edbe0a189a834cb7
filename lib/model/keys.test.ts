import { expect, it } from 'vitest';
import { edgeKey, spanKey, traceNodeId } from './keys';

it('keeps a call edge and a topic edge with look-alike names apart', () => {
  expect(edgeKey('call', 'topic:a', 'b')).not.toBe(edgeKey('topic', 'a', 'b'));
  expect(edgeKey('call', 'a', 'b')).not.toBe(edgeKey('call', 'b', 'a'));
});

it('names a token without a span after its agent, and a span by its id', () => {
  expect(traceNodeId(null, 'valueOf')).toBe('stream:valueOf');
  expect(traceNodeId('1'.repeat(16), 'a')).toBe('1'.repeat(16));
  expect(spanKey('t', 's')).toBe('t/s');
});
