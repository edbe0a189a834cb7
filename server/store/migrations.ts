/**
 * Versioned schema. `PRAGMA user_version` is the number of migrations applied; on open every
 * migration above it runs, in order, each in its own transaction together with the version
 * bump, so a crash mid-upgrade leaves the log at the previous version, never in between.
 *
 * To change the schema, append ONE line to MIGRATIONS (and its file under migrations/).
 * Never edit, remove or reorder a migration that has shipped: logs in the field depend on it.
 */
import type Database from 'better-sqlite3';
import { initialSchema } from './migrations/001-initial';
import { retentionTables } from './migrations/002-retention';
import { migrateScopedIds } from './migrations/003-scoped-ids';
import { textIndex } from './migrations/004-text-index';
import { textIndexMerging } from './migrations/005-text-index-merging';
import { idsIndexById } from './migrations/006-ids-index-by-id';

export interface Migration {
  /** `NNN-what`, for logs; the version is the position in the list (1-based). */
  name: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  { name: '001-initial', up: initialSchema },
  { name: '002-retention', up: retentionTables },
  { name: '003-scoped-ids', up: (db) => void migrateScopedIds(db) },
  { name: '004-text-index', up: (db) => textIndex(db) },
  { name: '005-text-index-merging', up: textIndexMerging },
  { name: '006-ids-index-by-id', up: idsIndexById },
];

export class SchemaTooNewError extends Error {}

export interface MigrationReport {
  from: number;
  to: number;
  applied: string[];
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * `announce`: told each step's name before it runs. An upgrade of a big log can take a while
 * (006 rebuilds an index: 12.8 s for 10M events here), and a start-up that says nothing for
 * that long looks hung.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, announce?: (step: string) => void): MigrationReport {
  const from = schemaVersion(db);
  if (from > migrations.length) {
    // Written by a newer release: running old code on it could misread or damage it.
    throw new SchemaTooNewError(`the event log has schema version ${from}, this release knows up to ${migrations.length}; run a newer release or restore a backup`);
  }
  const applied: string[] = [];
  for (let v = from; v < migrations.length; v++) {
    const m = migrations[v];
    announce?.(m.name);
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
    applied.push(m.name);
  }
  return { from, to: migrations.length, applied };
}

/**
 * Retention frees pages; with auto_vacuum=INCREMENTAL they can be handed back to the file
 * system, so the file shrinks instead of only being reused. A new log gets it before its
 * first table; an existing log (release 0.1.0 had none) needs one full VACUUM to switch,
 * which cannot run inside a transaction and so is not a numbered migration. Returns what it did.
 */
export function ensureIncrementalVacuum(db: Database.Database): 'already' | 'set' | 'converted' | 'deferred' {
  const mode = db.pragma('auto_vacuum', { simple: true }) as number;
  if (mode === 2) return 'already';
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma('auto_vacuum = INCREMENTAL');
  if (pages === 0) return 'set';
  try {
    db.exec('VACUUM'); // rewrites the file once; needs free space about the size of the log
  } catch (err) {
    // Not enough room to rewrite (or busy): start anyway. Retention still reuses freed pages,
    // the file just does not shrink; the conversion is tried again at the next start.
    console.warn(`[store] could not convert the log to incremental vacuum (${(err as Error).message}); will retry at the next start`);
    return 'deferred';
  }
  return 'converted';
}
