/**
 * Span selectors (Tracetest-style), parsed into a small AST:
 *
 *   span[name="security_scan_complete" vulnerabilities.critical=0], span[status="error"]
 *   span[agent="orchestrator"] span[duration > 2s]
 *
 * - conditions inside one bracket are ANDed; `,` between selectors is OR;
 * - whitespace between compounds is the descendant combinator: the last compound is the
 *   span selected, the earlier ones must match ancestors (in that order, outermost first);
 * - operators `= != < <= > >= contains`; values are "strings" / 'strings', numbers, true/false;
 * - `duration` takes a unit (`500ms`, `2s`, `1m`; bare numbers are ms).
 *
 * The parser is bounded (length, terms, compounds, alternatives) so a hostile selector costs
 * little: every error names the character position where it went wrong.
 */

export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'contains';
export type SelectorValue = string | number | boolean;

export interface Condition {
  key: string;
  op: Op;
  value: SelectorValue;
  /** Character offset of the key, for messages. */
  pos: number;
}

/** One `span[...]`: all conditions must hold. */
export interface Compound {
  conditions: Condition[];
}

/** `span[A] span[B]`: `path` = [A, B]; B is the selected span, A an ancestor of it. */
export interface Selector {
  path: Compound[];
}

/** `sel1, sel2`: a span matching any alternative is selected. */
export interface SelectorList {
  source: string;
  alternatives: Selector[];
}

/** Fields every span has, addressed by bare name; anything else is an attribute key. */
export const PSEUDO_ATTRIBUTES = ['name', 'agent', 'status', 'kind', 'duration', 'trace_id', 'span_id', 'parent_span_id'] as const;
export type PseudoAttribute = (typeof PSEUDO_ATTRIBUTES)[number];
const PSEUDO = new Set<string>(PSEUDO_ATTRIBUTES);
export function isPseudo(key: string): key is PseudoAttribute {
  return PSEUDO.has(key);
}

export const SELECTOR_LIMITS = {
  /** Characters in one selector text. */
  maxLength: 2000,
  /** Conditions across the whole selector. */
  maxTerms: 32,
  /** Compounds in one descendant chain (`span[A] span[B] span[C]` is 3). */
  maxDepth: 4,
  /** Alternatives separated by `,`. */
  maxAlternatives: 8,
  /** Characters in one string value or key. */
  maxTokenChars: 512,
} as const;

export class SelectorError extends Error {
  constructor(
    message: string,
    /** 0-based character offset in the selector text. */
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
    this.name = 'SelectorError';
  }
}

const DURATION_UNITS = new Map<string, number>([
  ['us', 0.001],
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
]);

const KEY_START = /[A-Za-z_@]/;
const KEY_CHAR = /[A-Za-z0-9_.\-:/@]/;

class Parser {
  private i = 0;
  private terms = 0;
  constructor(private readonly s: string) {}

  private fail(message: string, at = this.i): never {
    throw new SelectorError(message, at);
  }

  private skipSpace(): boolean {
    const start = this.i;
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
    return this.i > start;
  }

  private peek(): string {
    return this.s[this.i] ?? '';
  }

  parseList(): SelectorList {
    const alternatives: Selector[] = [];
    this.skipSpace();
    if (this.i >= this.s.length) this.fail('empty selector');
    for (;;) {
      if (alternatives.length >= SELECTOR_LIMITS.maxAlternatives) this.fail(`at most ${SELECTOR_LIMITS.maxAlternatives} alternatives separated by ","`);
      alternatives.push(this.parseSelector());
      this.skipSpace();
      if (this.i >= this.s.length) break;
      if (this.peek() !== ',') this.fail(`expected "," or end of selector, found "${this.peek()}"`);
      this.i++;
      this.skipSpace();
    }
    return { source: this.s, alternatives };
  }

  private parseSelector(): Selector {
    const path: Compound[] = [];
    for (;;) {
      if (path.length >= SELECTOR_LIMITS.maxDepth) this.fail(`at most ${SELECTOR_LIMITS.maxDepth} nested span[...] in one selector`);
      path.push(this.parseCompound());
      const before = this.i;
      const spaced = this.skipSpace();
      if (this.i >= this.s.length || this.peek() === ',') {
        this.i = this.peek() === ',' ? this.i : before;
        return { path };
      }
      if (!spaced) this.fail(`expected whitespace, "," or end of selector, found "${this.peek()}"`);
    }
  }

  private parseCompound(): Compound {
    if (this.s.startsWith('span', this.i) === false) this.fail('expected "span"');
    this.i += 4;
    const conditions: Condition[] = [];
    if (this.peek() !== '[') return { conditions }; // bare `span`: any span
    this.i++;
    for (;;) {
      this.skipSpace();
      if (this.peek() === ']') {
        this.i++;
        return { conditions };
      }
      if (this.i >= this.s.length) this.fail('unclosed "[", expected "]"');
      if (conditions.length && this.peek() === ',') this.fail('conditions in one bracket are separated by spaces (AND); use "," between span[...] for OR');
      conditions.push(this.parseCondition());
      if (++this.terms > SELECTOR_LIMITS.maxTerms) this.fail(`at most ${SELECTOR_LIMITS.maxTerms} conditions in a selector`, conditions[conditions.length - 1].pos);
      const c = this.peek();
      if (c !== ']' && !/\s/.test(c)) this.fail(this.i >= this.s.length ? 'unclosed "[", expected "]"' : `expected space or "]" after a condition, found "${c}"`);
    }
  }

  private parseKey(): string {
    const start = this.i;
    if (this.peek() === '"' || this.peek() === "'") return this.parseString();
    if (!KEY_START.test(this.peek())) this.fail(this.i >= this.s.length ? 'expected an attribute name' : `expected an attribute name, found "${this.peek()}"`);
    while (this.i < this.s.length && KEY_CHAR.test(this.s[this.i])) this.i++;
    const key = this.s.slice(start, this.i);
    if (key.length > SELECTOR_LIMITS.maxTokenChars) this.fail('attribute name too long', start);
    return key;
  }

  private parseOp(): Op {
    const s = this.s;
    const two = s.slice(this.i, this.i + 2);
    if (two === '!=' || two === '<=' || two === '>=') {
      this.i += 2;
      return two;
    }
    const c = s[this.i];
    if (c === '=' || c === '<' || c === '>') {
      this.i++;
      return c;
    }
    if (s.startsWith('contains', this.i)) {
      this.i += 8;
      return 'contains';
    }
    return this.fail(this.i >= s.length ? 'expected an operator (= != < <= > >= contains)' : `expected an operator (= != < <= > >= contains), found "${c}"`);
  }

  private parseCondition(): Condition {
    const pos = this.i;
    const key = this.parseKey();
    this.skipSpace();
    const op = this.parseOp();
    this.skipSpace();
    const valuePos = this.i;
    const value = this.parseValue(key);
    if (op === 'contains' && typeof value !== 'string') this.fail('contains needs a string value', valuePos);
    if (typeof value === 'boolean' && op !== '=' && op !== '!=') this.fail(`${op} cannot compare booleans`, valuePos);
    return { key, op, value, pos };
  }

  private parseValue(key: string): SelectorValue {
    const c = this.peek();
    if (c === '"' || c === "'") {
      const pos = this.i;
      const v = this.parseString();
      if (key === 'duration') this.fail('duration takes a number with a unit, e.g. 500ms', pos);
      return v;
    }
    const start = this.i;
    if (/[-+0-9.]/.test(c)) {
      const m = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/.exec(this.s.slice(this.i, this.i + 64));
      if (!m) this.fail('expected a number', start);
      this.i += m[0].length;
      let n = Number(m[0]);
      if (!Number.isFinite(n)) this.fail('number out of range', start);
      const unit = /^[a-z]+/.exec(this.s.slice(this.i, this.i + 8))?.[0];
      if (unit) {
        if (key !== 'duration') this.fail(`units are only allowed on duration, found "${unit}"`, this.i);
        const factor = DURATION_UNITS.get(unit);
        if (factor === undefined) this.fail(`unknown duration unit "${unit}" (us, ms, s, m, h)`, this.i);
        this.i += unit.length;
        n *= factor;
      }
      return n;
    }
    for (const word of ['true', 'false'] as const) {
      if (this.s.startsWith(word, this.i) && !KEY_CHAR.test(this.s[this.i + word.length] ?? '')) {
        this.i += word.length;
        if (key === 'duration') this.fail('duration takes a number with a unit, e.g. 500ms', start);
        return word === 'true';
      }
    }
    return this.fail(this.i >= this.s.length ? 'expected a value' : `expected a value ("string", number, true or false), found "${c}"`);
  }

  private parseString(): string {
    const quote = this.s[this.i];
    const start = this.i;
    this.i++;
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) this.fail('unterminated string', start);
      const ch = this.s[this.i++];
      if (ch === quote) break;
      if (ch === '\\') {
        if (this.i >= this.s.length) this.fail('unterminated string', start);
        const esc = this.s[this.i++];
        out += esc === 'n' ? '\n' : esc === 't' ? '\t' : esc;
      } else out += ch;
      if (out.length > SELECTOR_LIMITS.maxTokenChars) this.fail(`string longer than ${SELECTOR_LIMITS.maxTokenChars} characters`, start);
    }
    return out;
  }
}

/** Parses a selector; throws SelectorError (with a position) on bad input. */
export function parseSelector(source: string): SelectorList {
  if (typeof source !== 'string') throw new SelectorError('selector must be a string', 0);
  if (source.length > SELECTOR_LIMITS.maxLength) throw new SelectorError(`selector longer than ${SELECTOR_LIMITS.maxLength} characters`, SELECTOR_LIMITS.maxLength);
  return new Parser(source).parseList();
}
