/** The checkpointer copies the WAL into the database file from its own thread. */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { tempDir, waitFor } from '../testing/harness';
import { ev } from '../testing/eventLogContract';
import { SqliteEventLog } from './sqliteEventLog';
import { WalCheckpointer } from './walCheckpointer';

it('[G8] checkpoints the WAL from a worker thread while the writer never does', async () => {
  const dir = tempDir();
  const log = SqliteEventLog.open(dir);
  log.setAutoCheckpoint(0); // the writer itself never checkpoints
  const file = path.join(dir, 'events.db');
  const before = fs.statSync(file).size;
  await log.append(Array.from({ length: 2000 }, () => ev({ kind: 'token', data: { text: 'z'.repeat(500) } })));
  expect(fs.statSync(file).size).toBe(before); // everything is still in the WAL
  const checkpointer = new WalCheckpointer(file, 50);
  try {
    await waitFor(() => fs.statSync(file).size > before + 500_000, 10_000, 'the database file to receive the WAL pages');
    expect(await log.read({ limit: 5000 })).toHaveLength(2000);
  } finally {
    checkpointer.close();
    await log.close();
  }
});
