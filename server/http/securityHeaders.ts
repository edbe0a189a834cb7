/**
 * Security headers for every dashboard response. Next's App Router inlines its bootstrap
 * scripts, so script-src needs 'unsafe-inline' (a nonce would need Next's own middleware,
 * which a custom server does not run); everything else is locked to this origin.
 * `frameAncestors` is "'none'" except on embed pages, which get the configured origins.
 */
import type { ServerResponse } from 'node:http';

export function applySecurityHeaders(res: ServerResponse, frameAncestors: string): void {
  res.setHeader(
    'content-security-policy',
    [
      "default-src 'self'",
      // Next's dev server (React Refresh) evaluates code; production never does.
      `script-src 'self' 'unsafe-inline'${process.env.NODE_ENV === 'production' ? '' : " 'unsafe-eval'"}`,
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "connect-src 'self' ws: wss:",
      "font-src 'self' data:",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      `frame-ancestors ${frameAncestors}`,
    ].join('; '),
  );
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'same-origin');
  if (frameAncestors === "'none'") res.setHeader('x-frame-options', 'DENY');
}
