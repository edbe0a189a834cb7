import { describe, expect, it } from 'vitest';
import { exceedsDepth, parseJsonText } from './safeJson';

describe('parseJsonText', () => {
  it('parses valid JSON', () => {
    expect(parseJsonText('{"a":[1,{"b":"]]]]"}]}')).toEqual({ a: [1, { b: ']]]]' }] });
  });
  it('rejects malformed JSON with bad_json', () => {
    expect(() => parseJsonText('{"a":')).toThrow(expect.objectContaining({ code: 'bad_json' }));
  });
  it('rejects documents nested beyond the bound, ignoring brackets inside strings', () => {
    expect(exceedsDepth('['.repeat(33) + ']'.repeat(33), 32)).toBe(true);
    expect(exceedsDepth('['.repeat(32) + ']'.repeat(32), 32)).toBe(false);
    expect(exceedsDepth(JSON.stringify({ s: '[[[[[[[[[[\\"[[[[' }), 2)).toBe(false);
    expect(() => parseJsonText('['.repeat(100) + ']'.repeat(100))).toThrow(expect.objectContaining({ code: 'invalid_message' }));
  });
});
