import { expect, it } from 'vitest';
import { recordedText } from './recordedText';

it('[G6] recorded text is the searchable field values and attribute values, decoded; never keys, nested containers or transport fields', () => {
  expect(recordedText({ text: 'hello' })).toEqual(['hello']);
  expect(recordedText({ correlation_id: 'k1', method: 'plan', payload: 'say "hi"\n', timeout_ms: 1000, via: 'ws' })).toEqual(['say "hi"\n', 'plan']);
  expect(recordedText({ status: 'ok', attributes: { 'gen_ai.agent.name': 'plain words', n: 42, b: true, z: null, o: { deep: 'x' } } })).toEqual(['plain words', '42', '1']);
  expect(recordedText({ name: 'scan', attributes: ['not', 'an', 'object'] })).toEqual(['scan']);
  expect(recordedText(null)).toEqual([]);
  expect(recordedText({ text: 'a\u0000b' })).toEqual(['ab']);
  // A hostile key on the data object is a key like any other, not a path into the prototype.
  expect(recordedText(JSON.parse('{"__proto__": {"text": "x"}, "constructor": "y"}'))).toEqual([]);
});
