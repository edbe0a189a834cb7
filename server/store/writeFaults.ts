/**
 * Test-only fault injection (`XRAY_FAULT_FAIL_WRITES_FILE`): while `failing()` is true, every
 * write to the log throws what SQLite throws on a full disk, and so does the storage probe's
 * test write. Nothing else is faked: the real failure path runs (the transaction is not
 * applied, storage health turns `unavailable`, refusals are coded, the probe brings ingest
 * back once writes succeed again). Unlike a real full disk it needs no mount, so the
 * failing-store tests run without root. Never configured in production.
 */
import fs from 'node:fs';

/** The two write paths of a log: commits and the probe's small test write. */
export interface FaultableLog {
  append(...args: never[]): unknown;
  probeWrite(): void;
}

/** What better-sqlite3 throws when the disk is full. */
export function diskFullError(): Error {
  return Object.assign(new Error('database or disk is full (injected fault)'), { code: 'SQLITE_FULL' });
}

/** Makes `log`'s writes fail while `failing()` returns true; they work as before otherwise. */
export function injectWriteFaults<L extends FaultableLog>(log: L, failing: () => boolean): L {
  const append = log.append.bind(log) as (...args: unknown[]) => unknown;
  const probeWrite = log.probeWrite.bind(log);
  // Checked before the real write, so a failed write leaves the log exactly as it was.
  log.append = ((...args: unknown[]) => {
    if (failing()) throw diskFullError();
    return append(...args);
  }) as L['append'];
  log.probeWrite = () => {
    if (failing()) throw diskFullError();
    probeWrite();
  };
  return log;
}

/** `failing()` for the env var: writes fail while this file exists (a test creates and removes it). */
export function whileFileExists(file: string): () => boolean {
  return () => fs.existsSync(file);
}
