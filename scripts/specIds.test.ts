import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSources } from './importGraph';
import { citedIds, isIntegrationTest, specIds, testTitles } from './specIds';

const ROOT = path.resolve(import.meta.dirname, '..');

describe('specIds', () => {
  it('reads the ids in the first column of the tables, not the header or the prose', () => {
    const md = '# SPEC\nG9 in prose\n| id | rule |\n|---|---|\n| G1 | one |\n| R10 | `x` | y |\n| AL3 | z |\n';
    expect([...specIds(md)]).toEqual(['G1', 'R10', 'AL3']);
  });
});

describe('testTitles', () => {
  it('finds it/test titles with modifiers, each-tables, templates and several lines, with their describes', () => {
    const code = [
      "describe('[G6] outer', () => {",
      "  it('[R1] plain', () => {});",
      '  it.each([[1]])("row %s", () => {});',
      '  test.skip(`[G2] tpl ${x}`, () => {});',
      '  it(',
      "    'split over lines',",
      '    () => {},',
      '  );',
      '});',
      "test.describe('suite', () => { test('[V7] pw', async () => {}); });",
      "test.skip(!process.env.X, 'reason');",
      "test.beforeEach(() => {});",
    ].join('\n');
    expect(testTitles(code)).toEqual([
      { title: '[R1] plain', describes: ['[G6] outer'], line: 2 },
      { title: 'row %s', describes: ['[G6] outer'], line: 3 },
      { title: '[G2] tpl ${x}', describes: ['[G6] outer'], line: 4 },
      { title: 'split over lines', describes: ['[G6] outer'], line: 5 },
      { title: '[V7] pw', describes: ['suite'], line: 10 },
    ]);
  });

  it('cites every bracketed id in a title', () => {
    expect(citedIds('[G2][G3] after a SIGKILL [not an id] [AL10]')).toEqual(['G2', 'G3', 'AL10']);
  });

  it('counts a test as integration by its name or by the real processes and sockets it starts', () => {
    expect(isIntegrationTest('server/x.integration.test.ts', '')).toBe(true);
    expect(isIntegrationTest('e2e/views.spec.ts', '')).toBe(true);
    expect(isIntegrationTest('scripts/a.test.ts', "import { spawn } from 'node:child_process';")).toBe(true);
    expect(isIntegrationTest('server/b.test.ts', "import { startTestRelay } from '../testing/harness';")).toBe(true);
    expect(isIntegrationTest('lib/c.test.ts', "import { buildTrace } from './buildTrace';")).toBe(false);
    expect(isIntegrationTest('lib/c.test.ts', "it('x', () => f(\"import { spawn } from 'node:child_process'\"));")).toBe(false);
  });
});

describe('the project', () => {
  it('[A3] every integration and e2e test names a SPEC rule, and every id a test cites is in SPEC.md', () => {
    const ids = specIds(fs.readFileSync(path.join(ROOT, 'SPEC.md'), 'utf8'));
    const files = listSources(ROOT, ['lib', 'server', 'scripts', 'bench', 'e2e', 'components', 'app']).filter((f) => /\.(test|spec|contract)\.tsx?$/.test(f));
    expect(files.length).toBeGreaterThan(50);
    const untagged: string[] = [];
    const unknown: string[] = [];
    let integration = 0;
    for (const file of files) {
      const rel = path.relative(ROOT, file);
      const code = fs.readFileSync(file, 'utf8');
      // A shared contract suite (`*.contract.ts`) is checked for the ids it cites, not required to cite.
      const mustCite = !/\.contract\.tsx?$/.test(rel) && isIntegrationTest(rel, code);
      for (const t of testTitles(code, file)) {
        const cited = [...t.describes, t.title].flatMap(citedIds);
        if (mustCite) integration++;
        if (mustCite && cited.length === 0) untagged.push(`${rel}:${t.line} ${t.title}`);
        for (const id of cited) if (!ids.has(id)) unknown.push(`${rel}:${t.line} [${id}] ${t.title}`);
      }
    }
    expect(integration).toBeGreaterThan(100);
    expect(untagged, 'integration/e2e tests without a [rule id]').toEqual([]);
    expect(unknown, 'tests citing an id SPEC.md does not define').toEqual([]);
  });
});
