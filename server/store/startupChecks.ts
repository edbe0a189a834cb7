/**
 * Checks run before the server opens its log, so a broken environment stops the process
 * with a message naming the path and the reason, and an exit code a supervisor can tell
 * apart: 73 (EX_CANTCREAT) for a data dir or file it cannot write, 65 (EX_DATAERR) for a
 * damaged log file, 78 (EX_CONFIG) for a log written by a newer release.
 */
import type Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

export const EXIT_UNWRITABLE = 73;
export const EXIT_CORRUPT = 65;
export const EXIT_SCHEMA_TOO_NEW = 78;

export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

/** Creates the data dir if missing and proves it writable by writing a file (root ignores mode bits; only a real write tells). */
export function checkDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new StartupError(`data dir ${dataDir} cannot be created: ${(err as Error).message}`, EXIT_UNWRITABLE);
  }
  const stat = fs.statSync(dataDir);
  if (!stat.isDirectory()) throw new StartupError(`data dir ${dataDir} is not a directory`, EXIT_UNWRITABLE);
  const probe = path.join(dataDir, `.write-probe-${process.pid}`);
  try {
    fs.writeFileSync(probe, 'x');
    fs.rmSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'it is on a read-only file system' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : (err as Error).message;
    throw new StartupError(`data dir ${dataDir} is not writable: ${why} (${code ?? 'error'}). X-Ray needs to write its event log there; set XRAY_DATA_DIR to a writable directory.`, EXIT_UNWRITABLE);
  }
}

/** The log file itself, if it exists: a regular file we may read and write. */
export function checkLogFile(file: string): void {
  if (!fs.existsSync(file)) return;
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new StartupError(`event log ${file} is not a regular file`, EXIT_UNWRITABLE);
  try {
    fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
  } catch (err) {
    throw new StartupError(`event log ${file} is not readable and writable by this user: ${(err as Error).message}`, EXIT_UNWRITABLE);
  }
  if (stat.size > 0 && stat.size < 100) throw new StartupError(`event log ${file} is damaged: ${stat.size} bytes is shorter than an SQLite header. Restore it from a backup (README, Operations).`, EXIT_CORRUPT);
  if (stat.size >= 16) {
    const head = Buffer.alloc(16);
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, head, 0, 16, 0);
    } finally {
      fs.closeSync(fd);
    }
    if (head.toString('latin1') !== 'SQLite format 3\0') {
      throw new StartupError(`event log ${file} is damaged: it does not start with the SQLite header. Restore it from a backup (README, Operations).`, EXIT_CORRUPT);
    }
  }
}

/**
 * A bounded integrity check. `PRAGMA quick_check` reads every page, so it runs in full only
 * on logs up to `fullCheckMaxBytes` (a few seconds at most); a bigger log gets the schema and
 * both ends of the event table read, which catches a damaged header, schema or tail — the
 * pages a crash or a full disk would hit — in milliseconds.
 */
export function checkIntegrity(db: Database.Database, file: string, fullCheckMaxBytes: number): void {
  const damaged = (detail: string) =>
    new StartupError(`event log ${file} is damaged (${detail}). The server will not start on it: recover it with \`sqlite3 ${file} .recover\` or restore a backup (README, Operations: corruption).`, EXIT_CORRUPT);
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
    const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
    if (size <= fullCheckMaxBytes) {
      const problems = db.pragma('quick_check(5)', { simple: false }) as { quick_check: string }[];
      const bad = problems.map((p) => p.quick_check).filter((m) => m !== 'ok');
      if (bad.length) throw damaged(bad.join('; '));
    } else if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'events'").get()) {
      db.prepare('SELECT * FROM events ORDER BY seq LIMIT 1000').all();
      db.prepare('SELECT * FROM events ORDER BY seq DESC LIMIT 1000').all();
    }
  } catch (err) {
    if (err instanceof StartupError) throw err;
    const code = (err as { code?: string }).code ?? '';
    if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) throw damaged(`${code}: ${(err as Error).message}`);
    throw err;
  }
}
