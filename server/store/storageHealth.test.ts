/** Storage failures → coded refusals, the writer's refusal while unavailable, and the probe's recovery. */
import { describe, expect, it } from 'vitest';
import { XrayError } from '../../lib/protocol/errors';
import type { EventLog, StampedEvent } from './eventLog';
import { ev } from '../testing/eventLogContract';
import { LogWriter } from './logWriter';
import { SqliteEventLog } from './sqliteEventLog';
import { classifyStorageError, StorageHealth } from './storageHealth';
import { StorageProbe } from './storageProbe';

const sqliteError = (code: string, message = code) => Object.assign(new Error(message), { code });
const fresh = ({ lamport: _l, ...e }: StampedEvent) => e;

describe('classifyStorageError', () => {
  it.each([
    ['SQLITE_FULL', 'unavailable'],
    ['SQLITE_IOERR_WRITE', 'unavailable'],
    ['SQLITE_READONLY', 'unavailable'],
    ['SQLITE_BUSY', 'unavailable'],
    ['SQLITE_CORRUPT', 'corrupt'],
    ['SQLITE_CORRUPT_INDEX', 'corrupt'],
    ['SQLITE_NOTADB', 'corrupt'],
    ['SQLITE_CONSTRAINT_UNIQUE', null],
    ['EACCES', null],
  ])('%s → %s', (code, kind) => expect(classifyStorageError(sqliteError(code))).toBe(kind));
  it('an error without a code is not a storage error', () => expect(classifyStorageError(new Error('x'))).toBeNull());
});

describe('StorageHealth', () => {
  it('[G8] a failed write turns unavailable and answers storage_unavailable; the probe heals it', () => {
    const h = new StorageHealth();
    const changes: string[] = [];
    h.onChange((s) => changes.push(s.state));
    const e = h.fail(sqliteError('SQLITE_FULL', 'database or disk is full'), 'write');
    expect(e).toBeInstanceOf(XrayError);
    expect((e as XrayError).code).toBe('storage_unavailable');
    expect((e as XrayError).status).toBe(503);
    expect(h.current()).toMatchObject({ state: 'unavailable', reason: 'SQLITE_FULL: database or disk is full' });
    h.recovered();
    expect(h.state).toBe('ok');
    expect(changes).toEqual(['unavailable', 'ok']);
  });

  it('[G8] corruption is sticky: the probe does not heal it', () => {
    const h = new StorageHealth();
    expect((h.fail(sqliteError('SQLITE_CORRUPT'), 'read') as XrayError).code).toBe('storage_corrupt');
    h.recovered();
    expect(h.state).toBe('corrupt');
    expect(h.refusal().code).toBe('storage_corrupt');
  });

  it('a constraint violation is the batch\'s fault, not the disk\'s: state stays ok', () => {
    const h = new StorageHealth();
    expect((h.fail(sqliteError('SQLITE_CONSTRAINT_NOTNULL'), 'write') as XrayError).code).toBe('storage_failed');
    expect(h.state).toBe('ok');
  });

  it('a read that fails for another reason does not stop writes', () => {
    const h = new StorageHealth();
    const err = new Error('bad query');
    expect(h.fail(err, 'read')).toBe(err);
    expect(h.state).toBe('ok');
  });
});

describe('[G8] LogWriter on a failing log', () => {
  /** A real in-memory log whose appends fail while `failing` is set. */
  function flakyLog() {
    const log = SqliteEventLog.inMemory();
    const state = { failing: false };
    const append = log.append.bind(log);
    (log as { append: EventLog['append'] }).append = (events) => {
      if (state.failing) throw log.health.fail(sqliteError('SQLITE_FULL', 'database or disk is full'), 'write');
      return append(events);
    };
    return { log, state };
  }

  it('[G8] refuses the failing batch and everything after it with storage_unavailable, stores none of it, then resumes after a probe', async () => {
    const { log, state } = flakyLog();
    const writer = await LogWriter.open(log);
    await writer.submit([fresh(ev({ kind: 'token' }))]);
    state.failing = true;
    await expect(writer.submit([fresh(ev({ kind: 'token' })), fresh(ev({ kind: 'token' }))])).rejects.toMatchObject({ code: 'storage_unavailable' });
    expect(writer.health.state).toBe('unavailable');
    // Refused at once, without touching the log.
    await expect(writer.submit([fresh(ev({ kind: 'token' }))])).rejects.toMatchObject({ code: 'storage_unavailable' });
    expect(writer.stats.refused).toBe(1);
    expect(await log.head()).toBe(1);
    const probe = new StorageProbe(writer.health, log, { dir: null, intervalMs: 60_000, headroomBytes: 0 });
    expect(probe.probe()).toBe(true); // the meta write succeeds again (the flaky hook only breaks appends)
    state.failing = false;
    const [r] = await writer.submit([fresh(ev({ kind: 'token' }))]);
    expect(r.seq).toBe(2); // the refused events left no gap
    probe.close();
    await writer.close();
  });

  it('[G8] the probe keeps the log unavailable while the write still fails', () => {
    const health = new StorageHealth();
    health.fail(sqliteError('SQLITE_IOERR'), 'write');
    const probe = new StorageProbe(health, { probeWrite: () => { throw sqliteError('SQLITE_IOERR'); } }, { dir: null, intervalMs: 60_000, headroomBytes: 0 });
    expect(probe.probe()).toBe(false);
    expect(health.state).toBe('unavailable');
    probe.close();
  });
});
