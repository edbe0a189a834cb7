/**
 * Exhaustive `switch`es: `default: return assertNever(x)` makes tsc prove that every member of
 * the union has a case, so a new event kind, scope or message type cannot be silently ignored.
 */

/** Reached only with a value the types rule out (data we wrote ourselves): a bug, so throw. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}

/**
 * The same compile-time proof where the value comes from a peer that may be newer than this
 * code (a relay message reaching an older SDK): at run time an unknown member is skipped.
 */
export function ignoreUnknown(_x: never): void {}
