import { describe, expect, it } from 'vitest';
import { applyPositions, LINK_CALL, LINK_TOPIC, packGraph, packPositions, sameOrder } from './layoutMessages';

describe('layout messages', () => {
  it('packs nodes in order and links as index pairs, dropping links to nodes not in the list', () => {
    const m = packGraph(
      3,
      [
        { id: 'a', radius: 5 },
        { id: 'b', radius: 7 },
        { id: '#t', radius: 4 },
      ],
      [
        { source: 'a', target: 'b', kind: 'call' },
        { source: 'b', target: '#t', kind: 'topic' },
        { source: 'a', target: 'gone', kind: 'call' },
      ],
      true,
    );
    expect(m.version).toBe(3);
    expect(m.ids).toEqual(['a', 'b', '#t']);
    expect([...m.radius]).toEqual([5, 7, 4]);
    expect([...m.links]).toEqual([0, 1, 1, 2]);
    expect([...m.linkKinds]).toEqual([LINK_CALL, LINK_TOPIC]);
    expect(m.structural).toBe(true);
  });

  it('an agent named like an Object.prototype member is an ordinary id', () => {
    const m = packGraph(1, [{ id: '__proto__', radius: 5 }, { id: 'constructor', radius: 5 }], [{ source: '__proto__', target: 'constructor', kind: 'call' }], true);
    expect([...m.links]).toEqual([0, 1]);
  });

  it('positions round-trip in node order', () => {
    const nodes = [{ x: 1.5, y: -2 }, { x: 300, y: 40 }];
    const xy = packPositions(nodes);
    const out: { x?: number; y?: number }[] = [{}, {}];
    expect(applyPositions(out, xy)).toBe(Infinity); // first placement: everything moved
    expect(out).toEqual(nodes);
  });

  it('reports the largest distance a node moved', () => {
    const out = [{ x: 0, y: 0 }, { x: 10, y: 10 }];
    expect(applyPositions(out, Float32Array.from([0, 0.25, 13, 14]))).toBeCloseTo(5);
    expect(applyPositions(out, Float32Array.from([0, 0.25, 13, 14]))).toBe(0);
  });

  it('positions for a list of another length are not applied', () => {
    const out: { x?: number; y?: number }[] = [{}, {}, {}];
    expect(applyPositions(out, new Float32Array(4))).toBe(-1);
    expect(out).toEqual([{}, {}, {}]);
  });

  it('sameOrder compares ids position by position', () => {
    expect(sameOrder([{ id: 'a' }, { id: 'b' }], [{ id: 'a' }, { id: 'b' }])).toBe(true);
    expect(sameOrder([{ id: 'a' }, { id: 'b' }], [{ id: 'b' }, { id: 'a' }])).toBe(false);
    expect(sameOrder([{ id: 'a' }], [{ id: 'a' }, { id: 'b' }])).toBe(false);
  });
});
