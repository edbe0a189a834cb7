import { describe, expect, it } from 'vitest';
import { decorationCandidates } from './decorations';
import type { SimNode } from './simTypes';

const node = (id: string, over: Partial<SimNode> = {}): SimNode => ({ id, label: id, kind: 'agent', status: 'idle', radius: 4, tokens: 0, inflight: 0, errors: 0, load: null, members: 1, ...over });

describe('decorationCandidates', () => {
  it('picks only nodes with a halo, group ring or load ring, so a 20,000-node frame walks a handful', () => {
    const nodes = [
      node('plain'),
      node('flashing', { flashUntil: 2000 }),
      node('flashed', { flashUntil: 500 }),
      node('group', { kind: 'group', members: 3 }),
      node('busy', { load: { active: 2, max: 4 } }),
      node('idle-load', { load: { active: 0, max: 4 } }),
      node('no-max', { load: { active: 1, max: 0 } }),
    ];
    expect(decorationCandidates(nodes, 1000).map((n) => n.id)).toEqual(['flashing', 'group', 'busy']);
  });

  it('nothing to decorate in a quiet graph', () => {
    expect(decorationCandidates(Array.from({ length: 100 }, (_, i) => node(`a${i}`)), 0)).toEqual([]);
  });
});
