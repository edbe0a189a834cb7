/**
 * Iframe embeds: `/embed/trace/:id` and `/embed/swarm` accept a signed, scoped, expiring
 * embed token (`?token=`) instead of an admin session. The token's scope is `trace:<id>` or
 * `swarm`; it opens that page, the API read that page needs, and a socket limited to it.
 */
import type { IncomingMessage } from 'node:http';
import type { Scope } from '../../lib/protocol/dashboard';
import type { TokenSigner } from './signedToken';

export type EmbedCheck = { ok: true; scope: string } | { ok: false; reason: 'missing' | 'malformed' | 'bad_signature' | 'expired' | 'wrong_scope' };

/** The embed scope a path needs, or null if the path is not an embed resource. */
export function embedScopeForPath(pathname: string): string | null {
  let m = /^\/embed\/trace\/([0-9a-f]{32})$/.exec(pathname);
  if (m) return `trace:${m[1]}`;
  if (pathname === '/embed/swarm') return 'swarm';
  m = /^\/api\/traces\/([0-9a-f]{32})(\/timeline|\/outline|\/text|\/search)?$/.exec(pathname);
  if (m) return `trace:${m[1]}`;
  return null;
}

export function checkEmbedToken(signer: TokenSigner, token: string | null | undefined, needed: string): EmbedCheck {
  if (!token) return { ok: false, reason: 'missing' };
  const v = signer.verify(token);
  if (!v.ok) return { ok: false, reason: v.reason };
  if (v.claims.kind !== 'embed' || v.claims.scope !== needed) return { ok: false, reason: 'wrong_scope' };
  return { ok: true, scope: needed };
}

/** The token an embed page sends along: `?token=` on the page, `x-xray-embed` on its API reads. */
export function embedTokenOf(req: IncomingMessage, url: URL): string | null {
  const h = req.headers['x-xray-embed'];
  return (typeof h === 'string' ? h : null) ?? url.searchParams.get('token');
}

/** Whether an embed socket may subscribe to a scope. */
export function embedAllows(embedScope: string, scope: Scope): boolean {
  if (embedScope === 'swarm') return scope.kind === 'overview';
  return scope.kind === 'trace' && embedScope === `trace:${scope.traceId}`;
}

export const EMBED_REFUSALS: Record<Exclude<EmbedCheck, { ok: true }>['reason'], string> = {
  missing: 'This embed needs a token. Create one from “Share / Embed” in Swarm X-Ray.',
  malformed: 'This embed token is not valid.',
  bad_signature: 'This embed token is not valid (it was changed, or the admin token was rotated).',
  expired: 'This embed link has expired. Create a new one from “Share / Embed”.',
  wrong_scope: 'This embed token is for a different view.',
};
