/**
 * Signed, expiring tokens (HMAC-SHA256): the admin session cookie and the iframe embed
 * tokens. Format `v1.<base64url JSON claims>.<base64url signature>`. The key derives from
 * the admin token, so rotating it revokes every session and embed.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { safeEqual } from './adminToken';

export const claimsSchema = z.object({
  /** What the token grants: an admin session, or an embed of one scope. */
  kind: z.enum(['session', 'embed']),
  /** For embeds: `trace:<id>` or `swarm`. */
  scope: z.string().max(100).optional(),
  exp: z.number().int(),
  iat: z.number().int(),
  nonce: z.string().max(64),
});
export type Claims = z.infer<typeof claimsSchema>;

export type VerifyResult = { ok: true; claims: Claims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

export class TokenSigner {
  private readonly key: Buffer;

  constructor(adminToken: string, purpose = 'xray-signing-v1') {
    this.key = crypto.createHmac('sha256', adminToken).update(purpose).digest();
  }

  private sign(body: string): string {
    return crypto.createHmac('sha256', this.key).update(body).digest('base64url');
  }

  issue(kind: Claims['kind'], ttlSeconds: number, scope?: string, now = Date.now()): string {
    const claims: Claims = { kind, ...(scope ? { scope } : {}), iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + ttlSeconds, nonce: crypto.randomBytes(8).toString('base64url') };
    const body = `v1.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${body}.${this.sign(body)}`;
  }

  verify(token: string | undefined | null, now = Date.now()): VerifyResult {
    if (!token || token.length > 1024) return { ok: false, reason: 'malformed' };
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== 'v1') return { ok: false, reason: 'malformed' };
    const body = `${parts[0]}.${parts[1]}`;
    if (!safeEqual(this.sign(body), parts[2])) return { ok: false, reason: 'bad_signature' };
    let claims: Claims;
    try {
      const parsed = claimsSchema.safeParse(JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')));
      if (!parsed.success) return { ok: false, reason: 'malformed' };
      claims = parsed.data;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (claims.exp * 1000 <= now) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }
}
