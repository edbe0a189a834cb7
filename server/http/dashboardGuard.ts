/**
 * The dashboard's origin check, shared by its HTTP routes and the Socket.IO handshake.
 * The session cookie is SameSite=Strict, but "same site" includes every other port of the
 * same host, so a page on :4000 would otherwise send the admin's cookie to :3000. The
 * dashboard therefore checks the browser's `Origin` (and `Sec-Fetch-Site`) against its own
 * origin: the scheme and Host of the request, plus DASHBOARD_ALLOWED_ORIGINS.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XrayError } from '../../lib/protocol/errors';
import { dashboardOriginRefusal, isStateChanging, ownOrigin } from './originGuard';
import { sendError } from './respond';
import { securityStats } from './securityStats';

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The scheme the browser used: TLS on the socket, or a TLS-terminating proxy's X-Forwarded-Proto. */
function schemeOf(req: IncomingMessage): 'http' | 'https' {
  if ((req.socket as { encrypted?: boolean }).encrypted) return 'https';
  return (header(req, 'x-forwarded-proto') ?? '').split(',')[0].trim().toLowerCase() === 'https' ? 'https' : 'http';
}

/**
 * Whether a request needs the strict same-origin proof: every method that changes state, and
 * the GET form of `/auth/login` (it sets a session cookie).
 */
function needsSameOrigin(req: IncomingMessage, pathname: string): boolean {
  return isStateChanging(req.method) || pathname === '/auth/login';
}

export class DashboardGuard {
  constructor(private readonly allowedOrigins: ReadonlySet<string> = new Set()) {}

  /** The refusal for a request, or null. `strict` for state-changing requests and the socket handshake. */
  refusal(req: IncomingMessage, strict: boolean): string | null {
    const why = dashboardOriginRefusal(
      { origin: header(req, 'origin'), secFetchSite: header(req, 'sec-fetch-site') },
      ownOrigin(header(req, 'host'), schemeOf(req)),
      this.allowedOrigins,
      strict,
    );
    if (why) securityStats.originRefused.dashboard++;
    return why;
  }

  /** HTTP hook: true when the request may go on; otherwise answered 403 origin_not_allowed. */
  checkRequest(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const why = this.refusal(req, needsSameOrigin(req, url.pathname));
    if (!why) return true;
    req.resume();
    sendError(res, new XrayError('origin_not_allowed', why));
    return false;
  }

  /** Socket.IO's `allowRequest`: the handshake is refused (403) unless it comes from the dashboard's origin. */
  readonly allowRequest = (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void): void => {
    const why = this.refusal(req, true);
    callback(why ? `origin_not_allowed: ${why}` : null, !why);
  };
}
