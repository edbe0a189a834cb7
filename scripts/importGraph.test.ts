import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, importGraph, listSources } from './importGraph';

const ROOT = path.resolve(import.meta.dirname, '..');

describe('findCycles', () => {
  it('finds each strongly connected group once, and self-imports', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
      ['f', ['d']],
    ]);
    expect(findCycles(graph)).toEqual([['a', 'b', 'c'], ['e']]);
  });

  it('finds nothing in a tree', () => {
    expect(findCycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });
});

describe('the project', () => {
  it('[A1] has no import cycle in server/, lib/, components/ or app/', () => {
    const files = listSources(ROOT, ['server', 'lib', 'components', 'app']);
    expect(files.length).toBeGreaterThan(50);
    const cycles = findCycles(importGraph(files)).map((c) => c.map((f) => path.relative(ROOT, f)));
    expect(cycles).toEqual([]);
  });
});
