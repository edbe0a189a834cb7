import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../testing/harness';
import { SessionRevocations } from './sessionRevocations';

afterEach(() => vi.restoreAllMocks());

describe('SessionRevocations', () => {
  it('[G7] a revoked session stays revoked across a restart, until it would have expired', () => {
    let t = 1_700_000_000_000;
    const file = SessionRevocations.fileIn(tempDir());
    const a = SessionRevocations.open(file, { now: () => t });
    a.revoke('sid-1', t / 1000 + 3600);
    expect(a.isRevoked('sid-1', t / 1000 - 10)).toBe(true);
    expect(a.isRevoked('sid-2', t / 1000 - 10)).toBe(false);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    const b = SessionRevocations.open(file, { now: () => t });
    expect(b.isRevoked('sid-1', t / 1000 - 10)).toBe(true);
    t += 3601_000;
    const c = SessionRevocations.open(file, { now: () => t });
    expect(c.size).toBe(0); // expired ids are not carried forward
  });

  it('[G6] stays bounded: past the cap an epoch revokes every earlier session instead', () => {
    const t = 1_700_000_000_000;
    const nowS = t / 1000;
    const s = SessionRevocations.open(null, { maxEntries: 3, now: () => t });
    for (let i = 0; i < 3; i++) s.revoke(`sid-${i}`, nowS + 100);
    expect(s.size).toBe(3);
    s.revoke('sid-3', nowS + 100);
    expect(s.size).toBe(0);
    expect(s.isRevoked('sid-3', nowS)).toBe(true);
    expect(s.isRevoked('never-revoked-but-older', nowS - 50)).toBe(true);
    expect(s.isRevoked('issued-later', nowS + 5)).toBe(false);
  });

  it('[G8] a corrupted file revokes every earlier session and says so', () => {
    const t = 1_700_000_000_000;
    const dir = tempDir();
    const file = path.join(dir, 'revoked-sessions.json');
    fs.writeFileSync(file, '{not json');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const s = SessionRevocations.open(file, { now: () => t });
    expect(errors.mock.calls[0][0]).toContain('not a valid revocation list');
    expect(s.isRevoked('any', t / 1000 - 1)).toBe(true);
    expect(s.isRevoked('later', t / 1000 + 2)).toBe(false);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).epoch).toBe(t / 1000 + 1); // rewritten, valid
  });
});
