/**
 * Admin authentication for the observation plane. The admin token is exchanged at
 * `/auth/login` for a signed, httpOnly, SameSite=Strict session cookie with an expiry;
 * scripts and Prometheus may send `Authorization: Bearer <admin token>` to /api/* and
 * /metrics instead. Pages without a session redirect to /login?next=<the deep link>.
 * Failed logins back off per client address; logout revokes the session server-side
 * (checked on every request, and live sockets of the session are dropped).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XrayError } from '../../lib/protocol/errors';
import { readBody, sendError } from '../http/respond';
import { securityStats } from '../http/securityStats';
import { safeEqual } from './adminToken';
import { AttemptLimiter } from './attemptLimiter';
import { loginPage } from './loginPage';
import { safeNext } from './safeNext';
import { SessionRevocations } from './sessionRevocations';
import type { Claims, TokenSigner } from './signedToken';

export { safeNext } from './safeNext';

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

export interface AdminAuthOptions {
  /** Revoked sessions; memory-only when not given. */
  revocations?: SessionRevocations;
  /** Failed-login backoff per client address. */
  loginAttempts?: AttemptLimiter;
}

export class AdminAuth {
  readonly revocations: SessionRevocations;
  readonly loginAttempts: AttemptLimiter;
  private readonly revokeListeners: (() => void)[] = [];

  constructor(
    private readonly adminToken: string,
    readonly signer: TokenSigner,
    options: AdminAuthOptions = {},
  ) {
    this.revocations = options.revocations ?? SessionRevocations.open(null);
    this.loginAttempts = options.loginAttempts ?? new AttemptLimiter();
  }

  /** The claims of a live (signed, unexpired, unrevoked) session cookie, or null. */
  private session(req: IncomingMessage): Claims | null {
    const v = this.signer.verify(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    if (!v.ok || v.claims.kind !== 'session') return null;
    return this.revocations.isRevoked(v.claims.nonce, v.claims.iat) ? null : v.claims;
  }

  hasSession(req: IncomingMessage): boolean {
    return this.session(req) !== null;
  }

  /** Called after a session is revoked, so live sockets can be re-checked and dropped. */
  onRevoke(listener: () => void): void {
    this.revokeListeners.push(listener);
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
      const address = req.socket.remoteAddress ?? '?';
      // A locked-out address is refused before the token is compared: no guess is evaluated.
      const waitMs = this.loginAttempts.retryAfterMs(address);
      if (waitMs > 0) {
        securityStats.loginLocked++;
        this.refuseLogin(req, res, next, Math.ceil(waitMs / 1000));
        return true;
      }
      if (!token || !safeEqual(token, this.adminToken)) {
        if (token) {
          // An empty submit is not a guess.
          securityStats.loginFailures++;
          this.loginAttempts.failed(address);
        }
        res.writeHead(303, { location: `/login?error=invalid&next=${encodeURIComponent(next)}` });
        res.end();
        return true;
      }
      this.loginAttempts.succeeded(address);
      this.setSession(res, secure);
      res.writeHead(303, { location: next });
      res.end();
      return true;
    }
    if (url.pathname === '/auth/logout' && req.method === 'POST') {
      req.resume();
      this.revokeSessionOf(req);
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

  /** Revokes the request's session (if it has a live one) and tells the socket watchers. */
  private revokeSessionOf(req: IncomingMessage): void {
    const claims = this.session(req);
    if (!claims) return;
    this.revocations.revoke(claims.nonce, claims.exp);
    securityStats.sessionsRevoked++;
    for (const l of this.revokeListeners) l();
  }

  /** 429 with Retry-After: the login page for a browser form, a coded JSON error otherwise. */
  private refuseLogin(req: IncomingMessage, res: ServerResponse, next: string, retryAfterS: number): void {
    req.resume();
    const err = new XrayError('rate_limited', `too many failed logins from this address; try again in ${retryAfterS} s`, { retry_after_s: retryAfterS });
    if ((req.headers.accept ?? '').includes('text/html')) {
      res.writeHead(429, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'retry-after': String(retryAfterS) });
      res.end(loginPage(next, 'rate_limited', retryAfterS));
      return;
    }
    sendError(res, err);
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
