/**
 * Ties test names to SPEC.md: the rule ids SPEC.md defines, the test titles in a test file
 * (read with the TypeScript parser, so a title in a loop, a template or over several lines is
 * still found), and which test files run real processes or sockets and so must cite a rule.
 */
import ts from 'typescript';

/** A rule id as SPEC.md writes it: a short capital prefix and a number (G2, R10, AL3). */
const ID = /^[A-Z]{1,3}\d+$/;
const CITED = /\[([A-Z]{1,3}\d+)\]/g;

/** The ids in the first column of SPEC.md's tables. */
export function specIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  for (const line of markdown.split('\n')) {
    const cell = /^\|\s*([^|]+?)\s*\|/.exec(line)?.[1];
    if (cell && ID.test(cell)) ids.add(cell);
  }
  return ids;
}

/** The ids a test title cites, as `[G2]` anywhere in it. */
export function citedIds(title: string): string[] {
  return [...title.matchAll(CITED)].map((m) => m[1]!);
}

export interface TestTitle {
  title: string;
  /** The titles of the `describe` blocks around it, outermost first: part of the test's full name. */
  describes: string[];
  line: number;
}

// `it.skip(…)`, `test.only(…)`, `it.each(rows)(…)`: still tests. `test.step`, `test.beforeEach`
// and friends are not, so only these modifiers count.
const MODIFIERS = new Set(['skip', 'only', 'concurrent', 'sequential', 'fails', 'todo', 'fixme', 'slow', 'fail', 'serial', 'parallel']);
// `it.each(rows)` and `it.skipIf(cond)` return the test function: their own argument is no title.
const FACTORIES = new Set(['each', 'for', 'skipIf', 'runIf']);

/** Whether `callee` is `it`/`test` (kind 'test') or `describe`/`test.describe` (kind 'describe'), with modifiers. */
function calleeKind(callee: ts.Expression): 'test' | 'describe' | undefined {
  if (ts.isIdentifier(callee)) return callee.text === 'it' || callee.text === 'test' ? 'test' : callee.text === 'describe' ? 'describe' : undefined;
  if (ts.isPropertyAccessExpression(callee)) {
    const name = callee.name.text;
    const base = calleeKind(callee.expression);
    if (name === 'describe' && ts.isIdentifier(callee.expression) && callee.expression.text === 'test') return 'describe';
    return MODIFIERS.has(name) ? base : undefined;
  }
  if (ts.isCallExpression(callee) && ts.isPropertyAccessExpression(callee.expression) && FACTORIES.has(callee.expression.name.text)) {
    return calleeKind(callee.expression.expression);
  }
  return undefined;
}

function isLiteralTitle(node: ts.Expression): boolean {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node);
}

// Playwright's `test.skip(condition, reason)` / `test.fixme()` / `test.slow()` inside or above
// tests mark them; they are no tests themselves (a test's title is a literal string).
function isAnnotation(call: ts.CallExpression): boolean {
  const first = call.arguments[0];
  return first === undefined || (ts.isPropertyAccessExpression(call.expression) && !isLiteralTitle(first));
}

/** The literal text of a title; a template's `${…}` parts are kept as written. */
function titleText(node: ts.Expression, source: ts.SourceFile): string {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.getText(source).slice(1, -1);
  return node.getText(source);
}

/** Every `it(…)`/`test(…)` in a file: its title, the describe titles around it, its line (1-based). */
export function testTitles(code: string, fileName = 'x.test.ts'): TestTitle[] {
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: TestTitle[] = [];
  const describes: string[] = [];
  const visit = (node: ts.Node) => {
    const kind = ts.isCallExpression(node) && !isAnnotation(node) ? calleeKind(node.expression) : undefined;
    if (kind && ts.isCallExpression(node)) {
      const title = titleText(node.arguments[0]!, source);
      if (kind === 'test') {
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
        out.push({ title, describes: [...describes], line });
      } else {
        describes.push(title);
        ts.forEachChild(node, visit);
        describes.pop();
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

// An import statement (at the start of a line, so not text inside a test) of a child process or
// of the harness's real relay / API server.
const REAL_IMPORTS = /^import[^;]*(?:\b(?:startTestRelay|startTestApi)\b|from ['"](?:node:)?child_process['"])/m;

/**
 * A test file that starts real servers, processes or sockets: by name (`*.integration.test.ts`,
 * Playwright specs) or by what it uses (the harness's relay, a child process, a listening server).
 */
export function isIntegrationTest(relPath: string, code: string): boolean {
  if (/\.integration\.test\.ts$/.test(relPath) || /^e2e\/.*\.spec\.ts$/.test(relPath)) return true;
  return REAL_IMPORTS.test(code) || /\.listen\(/.test(code);
}
