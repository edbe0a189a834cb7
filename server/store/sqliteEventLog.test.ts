import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { eventLogContract } from '../testing/eventLogContract';
import type { EventLog } from './eventLog';
import { SqliteEventLog } from './sqliteEventLog';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-log-'));
let current = '';

/** Retention as the sweeper runs it: bounded batches until nothing older than the cutoff is left. */
async function expireBefore(log: EventLog, cutoffTs: number): Promise<void> {
  while (!(log as SqliteEventLog).expireBatch(cutoffTs, 2, Date.now()).done);
}

eventLogContract('sqlite (file, WAL)', {
  create: () => {
    current = fs.mkdtempSync(path.join(dir, 'db-'));
    return SqliteEventLog.open(current);
  },
  reopen: () => SqliteEventLog.open(current),
  expireBefore,
});

// XRAY_SQLITE_WRITER=thread: appends in the writer thread, reads and retention on this connection.
eventLogContract('sqlite (file, WAL, writer thread)', {
  create: () => {
    current = fs.mkdtempSync(path.join(dir, 'db-'));
    return SqliteEventLog.open(current, { writer: 'thread' });
  },
  reopen: () => SqliteEventLog.open(current, { writer: 'thread' }),
  expireBefore,
});

eventLogContract('sqlite (memory)', { create: () => SqliteEventLog.inMemory(), reopen: null, expireBefore });

it('keeps the log files private to the owner', async () => {
  const d = fs.mkdtempSync(path.join(dir, 'perm-'));
  const log = SqliteEventLog.open(d);
  await log.close();
  const mode = fs.statSync(path.join(d, 'events.db')).mode & 0o777;
  expect(mode & 0o077).toBe(0);
});
