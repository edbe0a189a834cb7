/**
 * Parses untrusted JSON text with a depth bound checked before parsing (a deeply nested
 * document would otherwise cost a deep recursion in the parser and later in validation).
 */
import { XrayError } from '../../lib/protocol/errors';
import { LIMITS } from '../../lib/protocol/limits';

export function exceedsDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped char
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > maxDepth) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

export function parseJsonText(text: string, maxDepth: number = LIMITS.jsonDepth): unknown {
  checkDepth(text, maxDepth);
  return parseJsonUnchecked(text);
}

/** The coded refusal of text nested deeper than `maxDepth`. */
export function checkDepth(text: string, maxDepth: number = LIMITS.jsonDepth): void {
  if (exceedsDepth(text, maxDepth)) throw new XrayError('invalid_message', `JSON nested deeper than ${maxDepth} levels`);
}

/**
 * JSON.parse with the coded error, and no depth check: for a caller that checks the depth
 * itself before anything walks the value recursively. V8's parser is iterative, so deep text
 * costs it no stack, and the size limit at the edge bounds its work.
 */
export function parseJsonUnchecked(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new XrayError('bad_json', `invalid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
}
