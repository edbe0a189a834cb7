import { describe, expect, it } from 'vitest';
import { countKinds, KindCostModel } from './kindCostModel';

const kinds = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('KindCostModel [G6]', () => {
  it('[G6] learns a kind measured alone, rising faster than it falls', () => {
    const m = new KindCostModel(0.05);
    m.observe(kinds({ 'span.start': 100 }), 100 * 0.2);
    expect(m.estimateMs('span.start')).toBeCloseTo(0.2, 6);
    m.observe(kinds({ 'span.start': 100 }), 100 * 0.4); // twice as dear: +50% of the error
    expect(m.estimateMs('span.start')).toBeCloseTo(0.3, 6);
    m.observe(kinds({ 'span.start': 100 }), 100 * 0.15); // half as dear: −30% of the error
    expect(m.estimateMs('span.start')).toBeCloseTo(0.3 * (1 - 0.3 * 0.5), 6);
  });

  it('[G6] one-token commits between the parts of a large export do not dilute the export\'s estimate', () => {
    // What one average per event would do: each one-token commit pulls it toward the token's
    // cost, and the next part of the export is sized for tokens. (In the 4 MiB OTLP test the
    // tokens' cost with overhead was the higher one; per kind, neither pulls the other.)
    const m = new KindCostModel(0.05);
    for (let i = 0; i < 30; i++) {
      m.observe(kinds({ 'span.start': 150, 'span.end': 150 }), 300 * 0.1);
      m.observe(kinds({ token: 1 }), 0.02);
      m.observe(kinds({ token: 1 }), 0.02);
    }
    expect(m.estimateMs('span.start')).toBeGreaterThan(0.09);
    expect(m.estimateMs('span.end')).toBeGreaterThan(0.09);
    expect(m.estimateMs('token')).toBeLessThan(0.03);
  });

  it('[G6] a token committed beside many spans barely moves the token\'s estimate', () => {
    const m = new KindCostModel(0.05);
    for (let i = 0; i < 30; i++) m.observe(kinds({ token: 500 }), 500 * 0.01);
    const token = m.estimateMs('token');
    m.observe(kinds({ 'span.start': 300, token: 1 }), 300 * 0.3);
    expect(m.estimateMs('token')).toBeLessThan(token * 1.05);
    expect(m.estimateMs('span.start')).toBeGreaterThan(0.1);
  });

  it('[G6] a kind never measured is assumed at the caller\'s cost, and its first measurement is taken as it is', () => {
    const m = new KindCostModel(1); // dear enough that its first batch is a small probe
    expect(m.estimateMs('gate.check')).toBe(1);
    m.observe(kinds({ token: 16 }), 16 * 0.02);
    expect(m.estimateMs('token')).toBeCloseTo(0.02, 6);
    expect(m.estimateMs('gate.check')).toBe(1);
  });

  it('[G6] kinds that make up a batch together learn at the full rate', () => {
    const m = new KindCostModel(0.05);
    m.observe(kinds({ 'span.start': 50, 'span.end': 50 }), 100 * 0.05); // first measurement: 0.05 each
    m.observe(kinds({ 'span.start': 50, 'span.end': 50 }), 100 * 0.15); // three times dearer
    // Both rise as a batch of one kind would (by RISE of the error), not by half of it each.
    expect(m.estimateMs('span.start')).toBeCloseTo(0.05 * (1 + 0.5 * 2), 6);
    expect(m.estimateMs('span.end')).toBeCloseTo(0.05 * (1 + 0.5 * 2), 6);
  });

  it('[G6] the dearest measured kind: the unknown cost until one is measured', () => {
    const m = new KindCostModel(1);
    expect(m.dearestMeasuredMs()).toBe(1);
    m.observe(kinds({ 'span.start': 10, 'span.end': 10 }), 20 * 0.1);
    m.observe(kinds({ 'span.end': 10 }), 10 * 0.3);
    expect(m.dearestMeasuredMs()).toBeCloseTo(m.estimateMs('span.end'), 6);
    expect(m.dearestMeasuredMs()).toBeLessThan(1); // kinds never seen do not count
  });

  it('[G6] one outlier counts as at most 16× the prediction, and nothing is estimated at 0', () => {
    const m = new KindCostModel(0.05);
    for (let i = 0; i < 10; i++) m.observe(kinds({ token: 100 }), 100 * 0.01);
    m.observe(kinds({ token: 1 }), 200); // a GC pause inside a one-token commit
    expect(m.estimateMs('token')).toBeCloseTo(0.01 * (1 + 0.5 * 15), 6); // not 0.01 × 10,000
    const z = new KindCostModel(0.05);
    z.observe(kinds({ 'span.end': 10 }), 0); // a batch timed at 0
    expect(z.estimateMs('span.end')).toBeGreaterThan(0);
    for (let i = 0; i < 50; i++) z.observe(kinds({ 'span.end': 10 }), 0);
    expect(z.estimateMs('span.end')).toBeGreaterThanOrEqual(1e-4);
  });

  it('ignores an empty batch and a nonsense measurement', () => {
    const m = new KindCostModel(0.05);
    m.observe(new Map(), 50);
    m.observe(kinds({ token: 10 }), Number.NaN);
    expect(m.estimateMs('token')).toBe(0.05);
  });

  it('counts a batch by kind', () => {
    expect(countKinds([{ kind: 'token' }, { kind: 'span.end' }, { kind: 'token' }])).toEqual(kinds({ token: 2, 'span.end': 1 }));
  });
});
