/**
 * The writer thread's side (see sqliteWriterThread.ts): its own connection to the log file,
 * appending each batch it is sent in one transaction and answering with the results or the
 * SQLite error's code and message. Messages are handled one at a time, in order, so seqs are
 * assigned in the order the event loop sent the batches.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteAppender } from './sqliteAppender';
import { configureConnection } from './sqliteConnection';
import { encodeResults, type WriterReply, type WriterRequest, type WriterSetup } from './sqliteWriterMessages';

const setup = workerData as WriterSetup;
const port = parentPort!;

function open(): { db: Database.Database; appender: SqliteAppender } {
  const db = new Database(setup.file, { fileMustExist: true, timeout: setup.busyTimeoutMs });
  configureConnection(db, setup.synchronous);
  db.pragma(`wal_autocheckpoint = ${setup.autoCheckpointPages}`);
  return { db, appender: new SqliteAppender(db) };
}

let state: ReturnType<typeof open> | null = null;
let openError: WriterReply | null = null;
try {
  state = open();
} catch (err) {
  openError = failure(0, err);
}

function failure(id: number, err: unknown): WriterReply {
  const code = (err as { code?: unknown })?.code;
  return { id, error: { message: (err as Error)?.message ?? String(err), code: typeof code === 'string' ? code : undefined } };
}

port.on('message', (m: WriterRequest) => {
  if (m.type === 'close') {
    state?.db.close();
    port.close();
    return;
  }
  if (m.type === 'autocheckpoint') {
    state?.db.pragma(`wal_autocheckpoint = ${m.pages}`);
    return;
  }
  // The file could not be opened here: every batch gets that error (storage health reports it).
  if (!state) return port.postMessage({ ...openError!, id: m.id });
  try {
    const seqs = encodeResults(state.appender.append(JSON.parse(m.batch)));
    port.postMessage({ id: m.id, seqs } satisfies WriterReply, [seqs.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage(failure(m.id, err));
  }
});
