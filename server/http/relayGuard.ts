/**
 * The relay's front door, called once per HTTP request and once per WebSocket upgrade before
 * anything else runs: refuses browser origins that were not allowed (403 origin_not_allowed),
 * Host names that are not the loopback server's own (421 host_not_allowed), and request bodies
 * that are not JSON / NDJSON / protobuf (415 unsupported_media_type). An allowed origin gets
 * the CORS headers it needs to read answers and send JSON.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { XrayError } from '../../lib/protocol/errors';
import type { XrayConfig } from '../config';
import { contentTypeRefusal, hostRefusal, isLoopbackBind, LOOPBACK_NAMES, RELAY_BODY_TYPES, relayOriginRefusal } from './originGuard';
import { refuseUpgrade, sendError } from './respond';
import { securityStats } from './securityStats';

export interface RelayGuardOptions {
  /** Browser origins allowed to use the relay (RELAY_ALLOWED_ORIGINS); empty by default. */
  allowedOrigins: ReadonlySet<string>;
  /** Host names answered (loopback names + RELAY_ALLOWED_HOSTS), or null to answer any Host. */
  allowedHosts: ReadonlySet<string> | null;
}

export interface RelayGuard {
  /** True when the request may go on; otherwise it has been answered. */
  request(req: IncomingMessage, res: ServerResponse): boolean;
  /** True when the upgrade may go on; otherwise the socket has been answered and ended. */
  upgrade(req: IncomingMessage, socket: Duplex): boolean;
}

const CORS_ALLOW_HEADERS = 'authorization, content-type, content-encoding, last-event-id, traceparent, x-agent-name';

/** Host names a relay bound to `bindHost` answers: null (any) unless it is loopback-only or names were configured. */
export function relayHostNames(loopbackBind: boolean, extra: ReadonlySet<string>): ReadonlySet<string> | null {
  if (!loopbackBind && extra.size === 0) return null;
  return new Set([...LOOPBACK_NAMES, ...extra]);
}

/** The guard the configuration asks for: RELAY_ALLOWED_ORIGINS, and the Host check on a loopback bind. */
export function relayGuardFor(config: Pick<XrayConfig, 'relayHost' | 'relayAllowedOrigins' | 'relayAllowedHosts'>): RelayGuard {
  return createRelayGuard({
    allowedOrigins: config.relayAllowedOrigins,
    allowedHosts: relayHostNames(isLoopbackBind(config.relayHost), config.relayAllowedHosts),
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function createRelayGuard(options: RelayGuardOptions): RelayGuard {
  const stats = { refused: 0 };
  /** The first refusal that applies to a request, as a coded error; null to let it through. */
  const refusal = (req: IncomingMessage, upgrade: boolean): XrayError | null => {
    if (options.allowedHosts) {
      const why = hostRefusal(header(req, 'host'), req.socket.localPort ?? 0, options.allowedHosts);
      if (why) {
        securityStats.hostRefused++;
        return new XrayError('host_not_allowed', why);
      }
    }
    const why = relayOriginRefusal({ origin: header(req, 'origin'), secFetchSite: header(req, 'sec-fetch-site') }, options.allowedOrigins);
    if (why) {
      securityStats.originRefused.relay++;
      return new XrayError('origin_not_allowed', why);
    }
    if (!upgrade) {
      const badType = contentTypeRefusal(req.method, header(req, 'content-type'), RELAY_BODY_TYPES);
      if (badType) {
        securityStats.mediaTypeRefused++;
        return new XrayError('unsupported_media_type', badType);
      }
    }
    return null;
  };

  return Object.assign(
    {
      request(req: IncomingMessage, res: ServerResponse): boolean {
        const err = refusal(req, false);
        if (err) {
          stats.refused++;
          req.resume(); // drain a refused body without buffering it
          sendError(res, err);
          return false;
        }
        const origin = header(req, 'origin');
        if (origin === undefined) return true;
        // Only an allowed origin gets this far: let its page read answers and send JSON.
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('vary', 'Origin');
        res.setHeader('access-control-expose-headers', 'traceparent, retry-after');
        if (req.method === 'OPTIONS') {
          res.writeHead(204, { 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': CORS_ALLOW_HEADERS, 'access-control-max-age': '600' });
          res.end();
          return false;
        }
        return true;
      },
      upgrade(req: IncomingMessage, socket: Duplex): boolean {
        const err = refusal(req, true);
        if (!err) return true;
        stats.refused++;
        refuseUpgrade(socket, err);
        return false;
      },
    },
    { stats },
  );
}
