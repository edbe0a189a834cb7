/**
 * `npm run backup -- --out FILE [--data-dir DIR]`: a consistent copy of the event log while
 * the server keeps ingesting. Uses SQLite's online backup API on the live file (WAL lets a
 * reader copy a snapshot while the server writes): the copy holds every event up to the
 * head it reports, and a server started on it serves exactly those. Written to FILE.partial
 * and renamed, so an interrupted backup never leaves a file that looks complete.
 *
 * Exit codes: 0 done, 2 usage, 1 failed (message on stderr).
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

function usage(message: string): never {
  console.error(`${message}\nusage: npm run backup -- --out FILE [--data-dir DIR]   (DIR defaults to XRAY_DATA_DIR or ./data)`);
  process.exit(2);
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const out = arg('--out');
  if (!out) usage('missing --out FILE');
  const dataDir = path.resolve(arg('--data-dir') ?? process.env.XRAY_DATA_DIR ?? './data');
  const source = path.join(dataDir, 'events.db');
  if (!fs.existsSync(source)) usage(`no event log at ${source}`);
  const target = path.resolve(out);
  if (fs.existsSync(target)) usage(`${target} exists; refusing to overwrite a backup`);
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });

  const started = Date.now();
  const db = new Database(source, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  try {
    // After the first step, copy all remaining pages in one step: a single read snapshot, so a
    // busy writer cannot make the backup restart forever (it would between small steps).
    await db.backup(partial, { progress: ({ remainingPages }) => Math.max(remainingPages, 1) });
  } finally {
    db.close();
  }
  fs.chmodSync(partial, 0o600); // the log holds agents' payloads

  // Check the copy before calling it a backup.
  const copy = new Database(partial, { fileMustExist: true });
  let head: number;
  let events: number;
  let version: number;
  try {
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`);
    head = (copy.prepare('SELECT MAX(seq) FROM events').pluck().get() as number | null) ?? 0;
    events = copy.prepare('SELECT count(*) FROM events').pluck().get() as number;
    version = copy.pragma('user_version', { simple: true }) as number;
  } finally {
    copy.close();
  }
  fs.renameSync(partial, target);
  console.log(JSON.stringify({ out: target, head, events, schema_version: version, bytes: fs.statSync(target).size, ms: Date.now() - started }));
}

main().catch((err: Error) => {
  console.error(`[backup] failed: ${err.message}`);
  process.exit(1);
});
