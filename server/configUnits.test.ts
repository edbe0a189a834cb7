import { describe, expect, it } from 'vitest';
import { parseAge, parseBytes } from './configUnits';

describe('parseAge', () => {
  it.each([
    ['72h', 72 * 3_600_000],
    ['30d', 30 * 86_400_000],
    ['1.5h', 5_400_000],
    ['500ms', 500],
    ['2w', 2 * 604_800_000],
    [' 10 s ', 10_000],
  ])('%s', (text, ms) => expect(parseAge(text)).toBe(ms));
  it.each(['', '72', 'h', '-1h', '0h', '3y', '1e3h', '72 hours'])('refuses %j', (text) => expect(parseAge(text)).toBeNull());
});

describe('parseBytes', () => {
  it.each([
    ['10GB', 10e9],
    ['512MiB', 512 * 2 ** 20],
    ['1kb', 1000],
    ['4096', 4096],
    ['1.5 GB', 1.5e9],
  ])('%s', (text, n) => expect(parseBytes(text)).toBe(n));
  it.each(['', 'GB', '-1GB', '0', '10XB', '1e9'])('refuses %j', (text) => expect(parseBytes(text)).toBeNull());
});
