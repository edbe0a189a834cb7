import { describe, expect, it } from 'vitest';
import { safeNext } from './safeNext';

describe('safeNext', () => {
  it.each([
    ['/', '/'],
    ['/trace/abc', '/trace/abc'],
    ['/trace/abc?node=x#n', '/trace/abc?node=x#n'],
    ['/traces?q=hello%20world', '/traces?q=hello%20world'],
    ['/trace/%C3%A9t%C3%A9', '/trace/%C3%A9t%C3%A9'],
    ['/été', '/%C3%A9t%C3%A9'], // non-ASCII re-encoded: a header never holds it raw
  ])('[G7] keeps the same-origin path %j', (input, out) => {
    expect(safeNext(input)).toBe(out);
  });

  it.each([
    [null],
    [undefined],
    [''],
    ['trace/abc'],
    ['https://evil.example/'],
    ['javascript:alert(1)'],
    ['//evil.example'],
    ['///evil.example'],
    ['/\\evil.example'],
    ['\\/evil.example'],
    ['/\t/evil.example'], // what /%09/evil.example decodes to in a form or query
    ['/%09/evil.example'],
    ['/%0a/evil.example'],
    ['/\n/evil.example'],
    ['/\r\nSet-Cookie: x=1'],
    ['/%0d%0aSet-Cookie:%20x=1'],
    ['/\u0000'],
    ['/%00'],
    ['/%7f'],
    ['/\u2028/evil.example'],
    ['/ /evil.example'],
    ['/%20/evil.example'],
    ['/%2F/evil.example'],
    ['/%2f%2fevil.example'],
    ['/%5C/evil.example'],
    ['/%5cevil.example'],
    ['/%ZZ'],
    ['/' + 'a'.repeat(2001)],
    [' /trace/x'],
  ])('[G7] drops the hostile next %j', (input) => {
    expect(safeNext(input as string | null | undefined)).toBe('/');
  });
});
