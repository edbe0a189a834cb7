/**
 * Admin authentication for the observation plane. The admin token is exchanged at
 * `/auth/login` for a signed, httpOnly, SameSite=Strict session cookie with an expiry;
 * scripts and Prometheus may send `Authorization: Bearer <admin token>` to /api/* and
 * /metrics instead. Pages without a session redirect to /login?next=<the deep link>.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XrayError } from '../../lib/protocol/errors';
import { readBody, sendError } from '../http/respond';
import { safeEqual } from './adminToken';
import { loginPage } from './loginPage';
import type { TokenSigner } from './signedToken';

export const SESSION_COOKIE = 'xray_session';
const SESSION_TTL_S = 12 * 3600;

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    if (k === '__proto__') continue;
    try {
      out[k] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      /* a malformed cookie is ignored */
    }
  }
  return out;
}

/** Only same-site relative paths: `/trace/x?y`, never `//evil.com` or `https://…`. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.length > 2000) return '/';
  return next;
}

export class AdminAuth {
  constructor(
    private readonly adminToken: string,
    readonly signer: TokenSigner,
  ) {}

  hasSession(req: IncomingMessage): boolean {
    const v = this.signer.verify(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    return v.ok && v.claims.kind === 'session';
  }

  hasBearer(req: IncomingMessage): boolean {
    const h = req.headers.authorization;
    return typeof h === 'string' && h.startsWith('Bearer ') && safeEqual(h.slice(7).trim(), this.adminToken);
  }

  /** Socket.IO handshake check: a session cookie (browsers) or the Bearer token (scripts). */
  isAdmin(req: IncomingMessage): boolean {
    return this.hasSession(req) || this.hasBearer(req);
  }

  private setSession(res: ServerResponse, secure: boolean): void {
    const value = this.signer.issue('session', SESSION_TTL_S);
    res.setHeader('set-cookie', `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_S}${secure ? '; Secure' : ''}`);
  }

  /** Handles /login and /auth/*; returns true when it answered. */
  async handleAuthRoutes(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const secure = (req.headers['x-forwarded-proto'] ?? '') === 'https';
    if (url.pathname === '/login' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(loginPage(safeNext(url.searchParams.get('next')), url.searchParams.get('error')));
      return true;
    }
    if (url.pathname === '/auth/login' && (req.method === 'POST' || req.method === 'GET')) {
      // POST: the login form. GET: the login link printed at start-up (the redirect drops the token from the URL).
      const params = req.method === 'POST' ? new URLSearchParams((await readBody(req, 8 * 1024)).toString('utf8')) : url.searchParams;
      const token = params.get('token') ?? '';
      const next = safeNext(params.get('next'));
      if (!token || !safeEqual(token, this.adminToken)) {
        res.writeHead(303, { location: `/login?error=invalid&next=${encodeURIComponent(next)}` });
        res.end();
        return true;
      }
      this.setSession(res, secure);
      res.writeHead(303, { location: next });
      res.end();
      return true;
    }
    if (url.pathname === '/auth/logout' && req.method === 'POST') {
      res.writeHead(303, { 'set-cookie': `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`, location: '/login' });
      res.end();
      return true;
    }
    if (url.pathname.startsWith('/auth/')) {
      sendError(res, new XrayError('method_not_allowed'));
      return true;
    }
    return false;
  }

  /**
   * Lets a request through or answers it: 401 JSON for /api and /metrics, a redirect to the
   * login page (keeping the deep link) for pages.
   */
  gate(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const machine = url.pathname.startsWith('/api/') || url.pathname === '/metrics';
    if (this.hasSession(req) || (machine && this.hasBearer(req))) return true;
    if (machine) {
      sendError(res, new XrayError('unauthorized', 'log in, or send Authorization: Bearer <admin token>'));
    } else {
      res.writeHead(302, { location: `/login?next=${encodeURIComponent(url.pathname + url.search)}`, 'cache-control': 'no-store' });
      res.end();
    }
    return false;
  }
}
