import { describe, expect, it } from 'vitest';
import { AddressSlots } from './addressSlots';

describe('AddressSlots', () => {
  it('[G6] one address cannot take more than its share; another address is still served', () => {
    const s = new AddressSlots(2, 5);
    expect(s.acquire('10.0.0.1')).toBeNull();
    expect(s.acquire('10.0.0.1')).toBeNull();
    expect(s.acquire('10.0.0.1')).toBe('address');
    expect(s.acquire('10.0.0.2')).toBeNull();
    expect(s.refused).toEqual({ address: 1, total: 0 });
  });

  it('[G6] the global bound stays the outer limit', () => {
    const s = new AddressSlots(2, 3);
    s.acquire('a');
    s.acquire('b');
    s.acquire('c');
    expect(s.acquire('d')).toBe('total');
    s.release('c');
    expect(s.acquire('d')).toBeNull();
  });

  it('releases only what was acquired, keyed by hostile strings without prototype surprises', () => {
    const s = new AddressSlots(1, 10);
    expect(s.acquire('__proto__')).toBeNull();
    expect(s.acquire('constructor')).toBeNull();
    s.release('toString'); // never acquired: no effect
    expect(s.size).toBe(2);
    s.release('__proto__');
    s.release('__proto__');
    expect(s.size).toBe(1);
    expect(s.heldBy('__proto__')).toBe(0);
    expect(s.addresses).toBe(1);
  });
});
