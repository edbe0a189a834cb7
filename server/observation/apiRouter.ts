/**
 * A tiny router for the dashboard's /api: `/api/traces/:traceId` style patterns, exact
 * matches only. Its own module so route files (traces, sessions, embeds, gates, alerts…) can
 * take the router type without importing the composition of all routes (no import cycle).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XrayError } from '../../lib/protocol/errors';
import { sendError } from '../http/respond';
import { decodePathSegment } from '../http/requestUrl';

export type ApiHandler = (req: IncomingMessage, res: ServerResponse, url: URL, params: Record<string, string>) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: ApiHandler;
}

export class ApiRouter {
  private readonly routes: Route[] = [];

  /** `admit` runs before every matched route; it throws (e.g. rate_limited) to refuse the request. */
  constructor(private readonly admit?: (req: IncomingMessage, url: URL) => void) {}

  add(method: string, path: string, handler: ApiHandler): this {
    const keys: string[] = [];
    const pattern = new RegExp(`^${path.replace(/:([a-zA-Z]+)/g, (_, k: string) => (keys.push(k), '([^/]+)'))}$`);
    this.routes.push({ method, pattern, keys, handler });
    return this;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== req.method) continue;
      try {
        this.admit?.(req, url);
        // Decoded inside the try: malformed percent-encoding is the client's 400, not a 500.
        const params: Record<string, string> = Object.create(null);
        r.keys.forEach((k, i) => (params[k] = decodePathSegment(m[i + 1])));
        await r.handler(req, res, url, params);
      } catch (err) {
        sendError(res, err);
      }
      return;
    }
    sendError(res, new XrayError(pathMatched ? 'method_not_allowed' : 'not_found', `${req.method} ${url.pathname} is not an API endpoint`));
  }
}
