/**
 * Server-side session revocation, so a logged-out cookie stops working at once instead of
 * at its expiry. Logout records the session's id (the token nonce) until the session would
 * have expired anyway. Storage is bounded: past `maxEntries` live revocations the store
 * raises its epoch instead (every session issued before it is revoked — a global logout)
 * and forgets the individual ids. The state is kept in a small JSON file in the data dir,
 * written atomically, so a restart does not bring revoked sessions back. An unreadable file
 * revokes every earlier session rather than silently forgetting revocations.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const fileSchema = z.object({
  epoch: z.number().int().min(0),
  revoked: z.array(z.tuple([z.string().max(64), z.number().int()])).max(1_000_000),
});

export class SessionRevocations {
  /** Sessions issued (iat, seconds) before this are revoked. */
  private epoch = 0;
  /** Revoked session id → its expiry (seconds). Keyed by token content: a Map. */
  private readonly revoked = new Map<string, number>();

  private constructor(
    private readonly file: string | null,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  /** A store kept in `file` (null: memory only, for tests). */
  static open(file: string | null, options: { maxEntries?: number; now?: () => number } = {}): SessionRevocations {
    const store = new SessionRevocations(file, options.maxEntries ?? 10_000, options.now ?? Date.now);
    if (file) store.load(file);
    return store;
  }

  static fileIn(dataDir: string): string {
    return path.join(dataDir, 'revoked-sessions.json');
  }

  private nowS(): number {
    return Math.floor(this.now() / 1000);
  }

  private load(file: string): void {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.distrustEarlierSessions(`cannot read ${file}: ${(err as Error).message}`);
      return;
    }
    let parsed;
    try {
      parsed = fileSchema.safeParse(JSON.parse(text));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) {
      this.distrustEarlierSessions(`${file} is not a valid revocation list`);
      return;
    }
    this.epoch = parsed.data.epoch;
    const now = this.nowS();
    for (const [id, exp] of parsed.data.revoked) if (exp > now) this.revoked.set(id, exp);
  }

  private distrustEarlierSessions(why: string): void {
    console.error(`[auth] ${why}; every session issued before now is revoked (admins log in again)`);
    this.epoch = this.nowS() + 1;
    this.persist();
  }

  /** Whether a session (its id and issue time in seconds) has been revoked. */
  isRevoked(id: string, issuedAtS: number): boolean {
    return issuedAtS < this.epoch || this.revoked.has(id);
  }

  /** Revokes one session until its expiry (seconds). */
  revoke(id: string, expiresAtS: number): void {
    const now = this.nowS();
    for (const [k, exp] of this.revoked) if (exp <= now) this.revoked.delete(k);
    if (expiresAtS <= now) return;
    if (this.revoked.size >= this.maxEntries) {
      // Bounded storage: one epoch replaces the ids (it also revokes every other live session).
      this.revoked.clear();
      this.epoch = now + 1;
    } else this.revoked.set(id, expiresAtS);
    this.persist();
  }

  get size(): number {
    return this.revoked.size;
  }

  private persist(): void {
    if (!this.file) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify({ epoch: this.epoch, revoked: [...this.revoked] }), { mode: 0o600 });
      fs.renameSync(tmp, this.file);
    } catch (err) {
      // The revocation still holds in memory; say what is wrong rather than fail the logout.
      console.error(`[auth] could not save revoked sessions to ${this.file}: ${(err as Error).message}`);
    }
  }
}
