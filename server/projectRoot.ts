/**
 * The project's root directory (the one with package.json), found by walking up from this
 * module rather than by a fixed `../..`: the same code runs from source (`server/…`) and from
 * the one-file bundle `dist/server.mjs` that `npm start` runs (no per-module transform at
 * start-up), and paths to `config/` and `.next` must hold in both.
 */
import fs from 'node:fs';
import path from 'node:path';

export function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

export const PROJECT_ROOT = findProjectRoot(import.meta.dirname);
