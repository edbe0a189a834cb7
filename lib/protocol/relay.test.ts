import { describe, expect, it } from 'vitest';
import { HOSTILE_NAMES, HOSTILE_TEXT, PROTOTYPE_NAMES } from '../testing/hostileNames';
import { agentName, agentToRelay, attributesSchema } from './relay';

describe('[G6] hostile names at the protocol edge', () => {
  it('keeps every attribute key as data, `__proto__` included (zod’s record drops it)', () => {
    const sent = JSON.parse(JSON.stringify({ type: 'span.start', span_id: '1'.repeat(16), name: HOSTILE_TEXT[0], attributes: Object.fromEntries(HOSTILE_NAMES.map((n) => [n.slice(0, 256), n.slice(0, 4096)])) }));
    const r = agentToRelay.parse(sent);
    if (r.type !== 'span.start') throw new Error('parsed as another type');
    expect(Object.keys(r.attributes!).sort()).toEqual(HOSTILE_NAMES.map((n) => n.slice(0, 256)).sort());
    expect(Object.getPrototypeOf(r.attributes)).toBeNull();
    expect(JSON.parse(JSON.stringify(r.attributes)).__proto__).toBe('__proto__');
  });

  it('refuses attributes that are not a flat object of scalars, with a path', () => {
    expect(attributesSchema.safeParse([1]).success).toBe(false);
    expect(attributesSchema.safeParse(null).success).toBe(false);
    expect(attributesSchema.safeParse({ a: { nested: 1 } }).error?.issues[0].path).toEqual(['a']);
    expect(attributesSchema.safeParse({ ['k'.repeat(257)]: 1 }).success).toBe(false);
  });

  it('accepts prototype member names as agent names and refuses markup, bidi and zero-width characters', () => {
    for (const n of PROTOTYPE_NAMES) expect(agentName.safeParse(n).success).toBe(true);
    for (const n of HOSTILE_TEXT) expect(agentName.safeParse(n).success).toBe(false);
  });
});
