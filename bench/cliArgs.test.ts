import { expect, it } from 'vitest';
import { flagValue, hasFlag } from './cliArgs';

it('[A5] reads --name=value flags, with a fallback, and bare flags', () => {
  const argv = ['node', 'x.ts', '--port=4200', '--counts=5000,20000', '--quick', '--empty='];
  expect(flagValue('port', '1', argv)).toBe('4200');
  expect(flagValue('counts', undefined, argv)).toBe('5000,20000');
  expect(flagValue('empty', 'd', argv)).toBe('');
  expect(flagValue('missing', 'd', argv)).toBe('d');
  expect(flagValue('missing', undefined, argv)).toBeUndefined();
  // A flag whose name starts another's is not confused with it.
  expect(flagValue('count', 'none', argv)).toBe('none');
  expect(hasFlag('quick', argv)).toBe(true);
  expect(hasFlag('port', argv)).toBe(false);
});
