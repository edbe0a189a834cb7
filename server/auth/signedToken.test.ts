import { describe, expect, it } from 'vitest';
import { safeEqual } from './adminToken';
import { TokenSigner } from './signedToken';

describe('TokenSigner', () => {
  const signer = new TokenSigner('admin-token-0123456789');
  it('round-trips claims', () => {
    const t = signer.issue('embed', 60, 'trace:abc');
    expect(signer.verify(t)).toMatchObject({ ok: true, claims: { kind: 'embed', scope: 'trace:abc' } });
  });
  it('refuses tampered, foreign, expired and malformed tokens', () => {
    const t = signer.issue('session', 60);
    const [v, body, sig] = t.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), exp: 9e9 })).toString('base64url');
    expect(signer.verify(`${v}.${forged}.${sig}`)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(new TokenSigner('another-admin-token-xyz').verify(t)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(signer.verify(signer.issue('session', 60, undefined, Date.now() - 120_000))).toEqual({ ok: false, reason: 'expired' });
    for (const bad of ['', 'v1', 'v2.a.b', 'v1..', 'x'.repeat(2000), undefined]) expect(signer.verify(bad).ok).toBe(false);
  });
  it('compares secrets in constant time regardless of length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
