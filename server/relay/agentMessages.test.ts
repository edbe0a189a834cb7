import { describe, expect, it } from 'vitest';
import { XrayError } from '../../lib/protocol/errors';
import { LIMITS } from '../../lib/protocol/limits';
import { parseAgentMessage, refusal } from './agentMessages';

/** A bucket with `n` tokens that records what was asked of it. */
function bucket(n: number) {
  const asked: number[] = [];
  return {
    asked,
    take: (k: number) => {
      asked.push(k);
      if (k > n) return false;
      n -= k;
      return true;
    },
  };
}

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as XrayError).code;
  }
  return 'no error';
};

describe('parseAgentMessage', () => {
  it('[G6] refuses text nested deeper than the bound before the schema walks it, whatever shape it claims; token frames (primitives only) skip the scan', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const over = LIMITS.jsonDepth + 5;
    for (const text of [deep(100_000), `{"type":"token","text":"x","extra":${deep(over)}}`, `{"type":"frames","frames":[{"type":"token","text":"x","n":${deep(over)}}]}`, `{"type":"call","target":"w","method":"m","payload":${deep(over)}}`]) {
      expect(() => parseAgentMessage(text, false, bucket(10).take)).toThrow(/nested deeper/);
    }
    expect(parseAgentMessage('{"type":"frames","frames":[{"type":"token","text":"a"},{"type":"token","text":"b"}]}', false, bucket(10).take)).toMatchObject({ type: 'frames' });
  });

  it('[G6] refuses binary and oversize messages before taking a token or parsing', () => {
    const b = bucket(10);
    expect(codeOf(() => parseAgentMessage(Buffer.from('{}'), true, b.take))).toBe('binary_not_supported');
    expect(codeOf(() => parseAgentMessage('x'.repeat(LIMITS.wsMessageBytes + 1), false, b.take))).toBe('too_large');
    expect(b.asked).toEqual([]);
  });

  it('[G6] the rate limit comes before JSON: a flood of garbage costs no parse', () => {
    expect(codeOf(() => parseAgentMessage('{not json', false, bucket(0).take))).toBe('rate_limited');
    expect(codeOf(() => parseAgentMessage('{not json', false, bucket(1).take))).toBe('bad_json');
  });

  it('[G6] a frames batch pays one token per frame', () => {
    const frames = JSON.stringify({ type: 'frames', frames: [{ type: 'token', text: 'a' }, { type: 'token', text: 'b' }, { type: 'token', text: 'c' }] });
    const enough = bucket(3);
    expect(parseAgentMessage(frames, false, enough.take)).toMatchObject({ type: 'frames' });
    expect(enough.asked).toEqual([1, 2]);
    expect(codeOf(() => parseAgentMessage(frames, false, bucket(2).take))).toBe('rate_limited');
  });

  it('[G6] unknown types and schema violations get their own codes; a Buffer parses as text', () => {
    expect(codeOf(() => parseAgentMessage('{"type":"teleport"}', false, bucket(9).take))).toBe('unknown_type');
    expect(codeOf(() => parseAgentMessage('{"type":"register"}', false, bucket(9).take))).toBe('invalid_message');
    expect(parseAgentMessage(Buffer.from('{"type":"register","name":"a"}'), false, bucket(9).take)).toEqual({ type: 'register', name: 'a' });
  });
});

describe('refusal', () => {
  const e = new XrayError('not_registered');
  it('[R10] an acked frame with ids is nacked with them, so the sender stops retrying', () => {
    expect(refusal(e, { type: 'frames', ack: true, frames: [{ type: 'token', id: 'a', text: 'x' }, { type: 'token', text: 'y' }] })).toEqual({ type: 'nack', ids: ['a'], code: 'not_registered', reason: e.message });
    expect(refusal(e, { type: 'broadcast', topic: 't', payload: 'p', id: 'b', ack: true })).toMatchObject({ type: 'nack', ids: ['b'] });
  });

  it('[G6] everything else is an error carrying the message’s ref or correlation id', () => {
    expect(refusal(e, { type: 'token', text: 'x', ack: true })).toEqual({ type: 'error', code: 'not_registered', message: e.message });
    expect(refusal(e, { type: 'call', ref: 'r1', to: 'w', method: 'm', payload: '' })).toMatchObject({ type: 'error', ref: 'r1' });
    expect(refusal(e, { type: 'call_response', correlation_id: 'c1', payload: '' })).toMatchObject({ type: 'error', ref: 'c1' });
    expect(refusal(e, undefined)).toEqual({ type: 'error', code: 'not_registered', message: e.message });
  });
});
