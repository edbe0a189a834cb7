import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findProjectRoot, PROJECT_ROOT } from './projectRoot';

describe('project root', () => {
  it('is the directory with package.json above this module', () => {
    expect(fs.existsSync(path.join(PROJECT_ROOT, 'package.json'))).toBe(true);
    expect(path.relative(PROJECT_ROOT, import.meta.dirname)).toBe('server');
  });

  it('is found from any depth below it (source files and the dist bundle alike)', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-root-'));
    fs.writeFileSync(path.join(root, 'package.json'), '{}');
    fs.mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
    expect(findProjectRoot(path.join(root, 'a', 'b'))).toBe(root);
    expect(findProjectRoot(root)).toBe(root);
    fs.rmSync(root, { recursive: true });
  });
});
