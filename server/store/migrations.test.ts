/** Upgrades: versioned schema, ordered migrations, and a log written by release 0.1.0. */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureEvents, FIXTURE_TRACES } from '../../scripts/make-schema-fixture';
import { tempDir } from '../testing/harness';
import { ensureIncrementalVacuum, migrate, MIGRATIONS, schemaVersion, type Migration } from './migrations';
import { SqliteEventLog } from './sqliteEventLog';
import { EXIT_SCHEMA_TOO_NEW, StartupError } from './startupChecks';

const FIXTURE = path.join(import.meta.dirname, 'fixtures/schema-v0.db');

function fixtureCopy(): string {
  const dir = tempDir('xray-upgrade-');
  fs.copyFileSync(FIXTURE, path.join(dir, 'events.db'));
  return dir;
}

describe('schema versioning', () => {
  it('[G8] the release 0.1.0 fixture is what it claims: user_version 0, 32 events', () => {
    // A copy: opening a WAL-mode file, even read-only, creates -shm/-wal beside it.
    const db = new Database(path.join(fixtureCopy(), 'events.db'), { readonly: true });
    expect(schemaVersion(db)).toBe(0);
    expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(fixtureEvents().length);
    db.close();
  });

  it('[G8] a log written by release 0.1.0 opens, migrates to the current version and keeps every event', async () => {
    const dir = fixtureCopy();
    const log = SqliteEventLog.open(dir);
    expect(log.migration).toEqual({ from: 0, to: MIGRATIONS.length, applied: MIGRATIONS.map((m) => m.name) });
    expect(log.vacuumMode).toBe('converted');
    const expected = fixtureEvents();
    const events = (await log.read({ limit: 1000 }));
    expect(events.map((e) => e.seq)).toEqual(expected.map((_, i) => i + 1));
    events.forEach((e, i) => {
      const { lamport: _l, ...want } = expected[i] as typeof expected[number] & { lamport?: number };
      expect(e).toMatchObject(want);
    });
    // Trace rollups and lamport clocks survived too.
    expect((await log.listTraces({})).map((t) => t.trace_id).sort()).toEqual([...FIXTURE_TRACES].sort());
    expect((await log.listTraces({ status: 'error' })).map((t) => t.trace_id)).toEqual([FIXTURE_TRACES[2]]);
    expect(await log.maxLamport(FIXTURE_TRACES[0])).toBe(9); // 9 events, one lamport tick each
    // New events continue the seq; reopening is a no-op.
    await log.append([{ ...expected[0], id: 'after-upgrade', lamport: 1 }]);
    expect(await log.head()).toBe(expected.length + 1);
    await log.close();
    const again = SqliteEventLog.open(dir);
    expect(again.migration.applied).toEqual([]);
    expect(again.vacuumMode).toBe('already');
    expect(await again.read({ limit: 1000 })).toHaveLength(expected.length + 1);
    await again.close();
    const db = new Database(path.join(dir, 'events.db'), { readonly: true });
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(2);
    db.close();
  });

  it('[G8] a new log starts at the current version with incremental vacuum', async () => {
    const log = SqliteEventLog.open(tempDir());
    expect(log.migration.from).toBe(0);
    expect(log.vacuumMode).toBe('already'); // set before the first table, so no VACUUM was needed
    await log.close();
  });

  it('[G8] a migration runs with its version bump in one transaction: a failing one leaves the previous version', () => {
    const db = new Database(':memory:');
    const failing: Migration[] = [
      ...MIGRATIONS,
      {
        name: '999-broken',
        up: (d) => {
          d.exec('CREATE TABLE half_done (x)');
          throw new Error('boom');
        },
      },
    ];
    expect(() => migrate(db, failing)).toThrow('boom');
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
  });

  it('[G8] adding a migration is one entry: only the new one runs on an up-to-date log', () => {
    const db = new Database(':memory:');
    migrate(db);
    const ran: string[] = [];
    const next: Migration[] = [...MIGRATIONS, { name: '00x-next', up: () => void ran.push('next') }];
    expect(migrate(db, next)).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length + 1, applied: ['00x-next'] });
    expect(ran).toEqual(['next']);
  });

  it('[G8] an upgrade names each step before it runs it (a long one must not look like a hung start)', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 4));
    const said: string[] = [];
    const order: string[] = [];
    const steps: Migration[] = MIGRATIONS.map((m) => ({ name: m.name, up: (d) => (order.push(`run ${m.name}`), m.up(d)) }));
    migrate(db, steps, (step) => (said.push(step), order.push(`announce ${step}`)));
    expect(said).toEqual(MIGRATIONS.slice(4).map((m) => m.name));
    expect(order).toEqual(said.flatMap((s) => [`announce ${s}`, `run ${s}`]));
  });

  it('[G8] no room for the one-time VACUUM: the log still opens (conversion deferred to the next start)', () => {
    const db = new Database(path.join(fixtureCopy(), 'events.db'));
    const exec = db.exec.bind(db);
    db.exec = (sql: string) => {
      if (sql === 'VACUUM') throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return exec(sql);
    };
    expect(ensureIncrementalVacuum(db)).toBe('deferred');
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(0);
    expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(fixtureEvents().length);
    db.close();
  });

  it('[G8] a log from a newer release is refused at start-up with exit code 78', () => {
    const dir = tempDir();
    const db = new Database(path.join(dir, 'events.db'));
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    db.close();
    let err: unknown;
    try {
      SqliteEventLog.open(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).exitCode).toBe(EXIT_SCHEMA_TOO_NEW);
    expect((err as Error).message).toMatch(/schema version \d+, this release knows up to/);
  });
});
