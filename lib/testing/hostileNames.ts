/**
 * Names chosen to break code that keys plain objects by outside strings (`obj[name]` reads
 * Object.prototype's members; assigning `__proto__` replaces the prototype) or that renders
 * them unescaped. Shared by the unit tests of every data-shaping module, the integration test
 * and the e2e test of hostile names (G6).
 */

/** Object.prototype's members and friends. All are valid agent names and topics. */
export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype', '__defineGetter__', 'isPrototypeOf', '__lookupSetter__', 'toLocaleString'] as const;

/** Text that is not a valid agent name but is fine as a span name, method, attribute key or payload. */
export const HOSTILE_TEXT = [
  '<img src=x onerror=alert(1)>',
  '"><script>alert(1)</script>',
  'مرحبا\u202Egnp.exe', // right-to-left override
  'zero\u200Bwidth\u200Djoin\uFEFF',
  'emoji 🦀🧪 and 中文',
  'back\\slash "quote" %_ wild',
  'x'.repeat(4096),
] as const;

export const HOSTILE_NAMES: readonly string[] = [...PROTOTYPE_NAMES, ...HOSTILE_TEXT];

/** Asserts nothing wrote through to Object.prototype (a `__proto__` key assigned into `{}`). */
export function prototypeIsClean(): boolean {
  const probe = {} as Record<string, unknown>;
  return Object.keys(Object.prototype).length === 0 && probe.polluted === undefined && typeof probe.toString === 'function';
}
