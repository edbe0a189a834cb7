/**
 * Whether the event log can be written, and why not. The store reports every SQLite failure
 * here; the writer refuses new work while the state is not `ok`, and a periodic probe (see
 * LogWriter) turns `unavailable` back to `ok` once space returns. `corrupt` never heals by
 * itself: the file's state is unknown, so a person must recover it (README, Operations).
 */
import type { StorageState, StorageStatus } from '../../lib/protocol/api';
import { XrayError } from '../../lib/protocol/errors';
import { isPgConstraintViolation, isPgUnavailable } from './pgErrors';

export type { StorageState, StorageStatus } from '../../lib/protocol/api';

/** SQLite result codes (better-sqlite3 `SqliteError.code`) that mean the file is damaged. */
const CORRUPT_CODES = /^SQLITE_(CORRUPT|NOTADB)/;
/** Codes that mean "cannot write right now": full disk, I/O error, read-only file, lost lock. */
const UNAVAILABLE_CODES = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|PERM|NOLFS)/;

export function classifyStorageError(err: unknown): 'unavailable' | 'corrupt' | null {
  // PostgreSQL (multi-node mode): unreachable or restarting is `unavailable`; it is never `corrupt` from here.
  if (isPgUnavailable(err)) return 'unavailable';
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string') return null;
  if (CORRUPT_CODES.test(code)) return 'corrupt';
  if (UNAVAILABLE_CODES.test(code)) return 'unavailable';
  return null;
}

export class StorageHealth {
  private status: StorageStatus = { state: 'ok', reason: null, since: Date.now() };
  private readonly listeners = new Set<(s: StorageStatus) => void>();
  /** Counters for /metrics. */
  readonly stats = { writeFailures: 0, readFailures: 0, corruptions: 0, recoveries: 0 };

  get state(): StorageState {
    return this.status.state;
  }

  current(): StorageStatus {
    return { ...this.status };
  }

  onChange(listener: (s: StorageStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Records a failed store operation. Returns the coded error to answer with: a storage
   * failure becomes storage_unavailable / storage_corrupt; anything else is passed through.
   */
  fail(err: unknown, op: 'write' | 'read'): Error {
    if (err instanceof XrayError) return err;
    const code = (err as { code?: unknown })?.code;
    if ((typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) || isPgConstraintViolation(err)) {
      // The batch broke a rule of the schema: a fault of that batch, not of the disk.
      return new XrayError('storage_failed', `the events were refused by the log (${code}); nothing was stored`);
    }
    const kind = classifyStorageError(err);
    if (op === 'write') this.stats.writeFailures++;
    else this.stats.readFailures++;
    const reason = `${(err as { code?: string }).code ?? 'error'}: ${(err as Error).message}`;
    if (kind === 'corrupt') {
      if (this.status.state !== 'corrupt') this.stats.corruptions++;
      this.set('corrupt', reason);
      return new XrayError('storage_corrupt', `the event log file is damaged (${reason}); writes are refused until it is recovered`);
    }
    if (kind === 'unavailable' || op === 'write') {
      // Any failed write leaves us unsure the next one would land: refuse until the probe says otherwise.
      if (this.status.state === 'ok') this.set('unavailable', reason);
      return new XrayError('storage_unavailable', `the event log is not writable (${reason}); nothing was stored`);
    }
    return err as Error;
  }

  /** The error to refuse a write with while the state is not ok. */
  refusal(): XrayError {
    if (this.status.state === 'corrupt') return new XrayError('storage_corrupt', `the event log file is damaged (${this.status.reason}); writes are refused until it is recovered`);
    return new XrayError('storage_unavailable', `the event log is not writable (${this.status.reason}); nothing was stored`);
  }

  /** The probe succeeded. Only `unavailable` heals; `corrupt` needs a person. */
  recovered(): void {
    if (this.status.state !== 'unavailable') return;
    this.stats.recoveries++;
    this.set('ok', null);
  }

  private set(state: StorageState, reason: string | null): void {
    if (this.status.state === state && this.status.reason === reason) return;
    const changed = this.status.state !== state;
    this.status = { state, reason, since: changed ? Date.now() : this.status.since };
    if (!changed) return;
    if (state === 'ok') console.log('[store] the event log is writable again; ingest resumed');
    else console.error(`[store] the event log is ${state === 'corrupt' ? 'CORRUPT' : 'not writable'}: ${reason}. Writes are refused with storage_${state}.`);
    for (const l of this.listeners) l(this.current());
  }
}
