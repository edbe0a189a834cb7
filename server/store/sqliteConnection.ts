/**
 * The settings each connection to the log file takes for itself (journal_mode is the file's,
 * set once by the event loop's connection). One place for both connections, the event loop's
 * (sqliteEventLog.ts) and the writer thread's (sqliteWriterWorker.ts), so they cannot drift.
 */
import type Database from 'better-sqlite3';

export function configureConnection(db: Database.Database, synchronous: 'NORMAL' | 'FULL'): void {
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('temp_store = MEMORY');
  // After a checkpoint the WAL file is truncated to this, so a burst does not leave it huge.
  db.pragma('journal_size_limit = 67108864');
}
