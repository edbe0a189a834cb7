import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { eventLogContract } from './eventLog.contract';
import { SqliteEventLog } from './sqliteEventLog';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-log-'));
let current = '';

eventLogContract('sqlite (file, WAL)', {
  create: () => {
    current = fs.mkdtempSync(path.join(dir, 'db-'));
    return SqliteEventLog.open(current);
  },
  reopen: () => SqliteEventLog.open(current),
});

eventLogContract('sqlite (memory)', { create: () => SqliteEventLog.inMemory(), reopen: null });

it('keeps the log files private to the owner', () => {
  const d = fs.mkdtempSync(path.join(dir, 'perm-'));
  const log = SqliteEventLog.open(d);
  log.close();
  const mode = fs.statSync(path.join(d, 'events.db')).mode & 0o777;
  expect(mode & 0o077).toBe(0);
});
