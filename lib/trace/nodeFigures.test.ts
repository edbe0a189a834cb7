import { describe, expect, it } from 'vitest';
import { usageFigures } from './nodeFigures';
import { treeOf } from './treeFixture';

const node = () => Object.values(treeOf([{ id: 'n', agent: 'a', start: 0, end: 10 }]).nodes)[0];

describe('usageFigures', () => {
  it('[V10] shows nothing the node does not carry', () => {
    expect(usageFigures(node())).toEqual([]);
  });

  it('[V10] shows every numeric usage field and cost / time to first token when the model provides them', () => {
    const n = { ...node(), usage: { input: 120, output: 30, cache_read: 64 }, cost_usd: 0.0123, ttft_ms: 412 } as never;
    expect(usageFigures(n)).toEqual([
      { label: 'input tokens', value: '120' },
      { label: 'output tokens', value: '30' },
      { label: 'cache read', value: '64' },
      { label: 'cost', value: '$0.0123' },
      { label: 'time to first token', value: '412 ms' },
    ]);
  });
});
