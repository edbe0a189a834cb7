/**
 * Bundles the server (our TypeScript under server/ and lib/) into one ES module,
 * `dist/server.mjs` (and the SQLite writer thread's `dist/sqliteWriterWorker.mjs`), with every package left external (loaded from node_modules as usual).
 * WHY: started through the tsx loader, the server spent most of its start-up resolving and
 * transforming ~330 modules one by one through loader hooks (bench: start-up to first ack);
 * the bundle is plain JavaScript that node loads at once. Takes ~0.2 s, so `npm start` and
 * the demo run it every time and the bundle is never stale. `npm run dev` and the tests still
 * run the sources through tsx.
 *
 *   node --import tsx scripts/buildServer.ts   (npm run build:server)
 */
import { buildSync } from 'esbuild';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const SERVER_BUNDLE = path.join(ROOT, 'dist', 'server.mjs');

export function buildServerBundle(): string {
  buildSync({
    // The SQLite writer thread's module goes beside the server (sqliteWriterThread.ts loads it from there).
    entryPoints: { server: path.join(ROOT, 'server', 'index.ts'), sqliteWriterWorker: path.join(ROOT, 'server', 'store', 'sqliteWriterWorker.ts') },
    outdir: path.dirname(SERVER_BUNDLE),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked', // stack traces point at server/*.ts
    logLevel: 'warning',
  });
  return SERVER_BUNDLE;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  buildServerBundle();
  console.log(`[build] ${path.relative(process.cwd(), SERVER_BUNDLE)}`);
}
