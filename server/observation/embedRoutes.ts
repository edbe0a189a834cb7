/** `POST /api/embed-tokens` (admins): mints a signed, scoped, expiring token for an iframe embed. */
import { z } from 'zod';
import type { TokenSigner } from '../auth/signedToken';
import { readJson, sendJson } from '../http/respond';
import type { ApiRouter } from './apiRouter';

export const embedTokenRequest = z.object({
  scope: z.union([z.literal('swarm'), z.string().regex(/^trace:[0-9a-f]{32}$/, 'scope is "swarm" or "trace:<32 hex>"')]),
  /** Lifetime: one minute to thirty days; a day by default. */
  ttl_s: z.number().int().min(60).max(30 * 24 * 3600).default(24 * 3600),
});

export function addEmbedRoutes(api: ApiRouter, signer: TokenSigner): ApiRouter {
  return api.add('POST', '/api/embed-tokens', async (req, res) => {
    const body = await readJson(req, embedTokenRequest, 4096);
    const token = signer.issue('embed', body.ttl_s, body.scope);
    const path = body.scope === 'swarm' ? '/embed/swarm' : `/embed/trace/${body.scope.slice(6)}`;
    const host = req.headers.host ?? 'localhost:3000';
    const proto = (req.headers['x-forwarded-proto'] as string | undefined) ?? 'http';
    const url = `${proto}://${host}${path}?token=${encodeURIComponent(token)}`;
    sendJson(res, 200, {
      token,
      url,
      expires_at: Date.now() + body.ttl_s * 1000,
      iframe: `<iframe src="${url}" width="960" height="540" style="border:0" title="Swarm X-Ray"></iframe>`,
    });
  });
}
