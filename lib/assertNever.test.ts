import { expect, it } from 'vitest';
import { assertNever, ignoreUnknown } from './assertNever';
import type { EventKind } from './protocol/events';

// `npx tsc --noEmit` checks this file too: the @ts-expect-error fails the type check if a
// switch that forgets a kind ever compiles.
function handledAll(kind: EventKind): string {
  switch (kind) {
    case 'token':
      return 'token';
    default:
      // @ts-expect-error 'agent.connect' and the other kinds have no case
      return assertNever(kind);
  }
}

it('throws with the value a switch did not expect at run time', () => {
  expect(() => handledAll('agent.connect')).toThrow('unexpected value: "agent.connect"');
  expect(handledAll('token')).toBe('token');
});

it('ignoreUnknown skips a value from a newer peer', () => {
  expect(ignoreUnknown('newer' as never)).toBeUndefined();
});
