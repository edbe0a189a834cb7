/**
 * Pure decisions about where a request comes from: the browser origin that sent it, the Host
 * name it was addressed to, and the body type it declares. Each function returns a refusal
 * message, or null when the request may go on; the hooks that answer with coded errors live
 * in relayGuard.ts and dashboardGuard.ts.
 *
 * Why these checks: a browser attaches `Origin` (and `Sec-Fetch-Site`) to every cross-origin
 * request and WebSocket upgrade, and a page can send a "no-cors" POST with a text/plain body
 * without any preflight. A DNS-rebinding page reaches a loopback server under its own
 * Host name. Agents and scripts send neither header, so they are unaffected.
 */

/** Browser-issued requests say where they come from; these values mean "another site's page". */
const FOREIGN_FETCH_SITES = new Set(['cross-site', 'same-site']);

/** `https://Example.com:443/` → `https://example.com`; null for anything that is not an http(s) origin. */
export function normalizeOrigin(value: string): string | null {
  const trimmed = value.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // An origin is scheme://host[:port] only: a path, query, credentials or fragment is a mistake.
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) return null;
  return url.origin;
}

/**
 * A comma-separated origin list from the environment. Throws with the bad entry so the server
 * refuses to start rather than run with an allowlist it misread. `null` (the origin of
 * sandboxed frames and file: pages) is refused: any page can produce it.
 */
export function parseOriginList(csv: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const raw of (csv ?? '').split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const origin = normalizeOrigin(entry);
    if (!origin) throw new Error(`"${entry}" is not an origin (expected scheme://host[:port], e.g. https://app.example.com)`);
    out.add(origin);
  }
  return out;
}

/** A comma-separated Host-name list (`name` or `name:port`), lower-cased. */
export function parseHostList(csv: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const raw of (csv ?? '').split(',')) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(entry)) throw new Error(`"${entry}" is not a host name (expected name or name:port)`);
    out.add(entry);
  }
  return out;
}

export interface OriginHeaders {
  origin?: string;
  secFetchSite?: string;
}

/**
 * The relay serves agents, not pages: a request carrying `Origin` is refused unless that origin
 * was explicitly allowed. A browser request without `Origin` but marked cross-site (an `<img>`
 * or no-cors GET) is refused too; `same-origin` and `none` (typed into the address bar) pass.
 */
export function relayOriginRefusal(h: OriginHeaders, allowed: ReadonlySet<string>): string | null {
  if (h.origin !== undefined) {
    if (allowed.has(h.origin.toLowerCase())) return null;
    return `browser requests from origin "${h.origin.slice(0, 200)}" are not allowed; add it to RELAY_ALLOWED_ORIGINS to allow it`;
  }
  if (h.secFetchSite && FOREIGN_FETCH_SITES.has(h.secFetchSite.toLowerCase())) return 'browser requests from other sites are not allowed';
  return null;
}

/** The dashboard's own origin as the browser sees it: the scheme and the Host it addressed. */
export function ownOrigin(host: string | undefined, scheme: 'http' | 'https'): string | null {
  if (!host) return null;
  return normalizeOrigin(`${scheme}://${host}`);
}

/**
 * The dashboard answers browsers on its own origin (plus DASHBOARD_ALLOWED_ORIGINS). Any
 * request with a foreign `Origin` is refused; a state-changing one (POST, the Socket.IO
 * handshake, login) without `Origin` is refused when the browser marks it cross- or same-site,
 * which covers pages on another port of the same host (cookies are SameSite, not same-origin).
 */
export function dashboardOriginRefusal(h: OriginHeaders, own: string | null, allowed: ReadonlySet<string>, stateChanging: boolean): string | null {
  if (h.origin !== undefined) {
    const origin = h.origin.toLowerCase();
    if ((own !== null && origin === own) || allowed.has(origin)) return null;
    return `requests from origin "${h.origin.slice(0, 200)}" are not allowed on this dashboard (its origin is ${own ?? 'unknown'}; see DASHBOARD_ALLOWED_ORIGINS)`;
  }
  if (stateChanging && h.secFetchSite && FOREIGN_FETCH_SITES.has(h.secFetchSite.toLowerCase())) return 'this request must come from the dashboard itself';
  return null;
}

/** Whether the relay's bind address is loopback-only (then DNS rebinding is the threat to stop). */
export function isLoopbackBind(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export const LOOPBACK_NAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** Splits a Host header into a lower-case name and a port (80 when absent); null when malformed. */
export function splitHost(host: string): { name: string; port: number } | null {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(host.trim().toLowerCase());
  if (!m) return null;
  const port = m[2] === undefined ? 80 : Number(m[2]);
  return port > 65535 ? null : { name: m[1], port };
}

/**
 * A loopback server answers only to its own names: `localhost`, `127.0.0.1`, `[::1]` or an
 * extra name from RELAY_ALLOWED_HOSTS, on the port it listens on. A DNS-rebinding page addresses
 * it as `attacker.example:port` and is refused. An extra entry with a port matches that port only.
 */
export function hostRefusal(hostHeader: string | undefined, localPort: number, names: ReadonlySet<string>): string | null {
  const refusal = `Host "${(hostHeader ?? '').slice(0, 200)}" is not a name of this server; add it to RELAY_ALLOWED_HOSTS to allow it`;
  if (!hostHeader) return 'a Host header is required';
  const parsed = splitHost(hostHeader);
  if (!parsed) return refusal;
  if (names.has(`${parsed.name}:${parsed.port}`)) return null;
  if (names.has(parsed.name) && parsed.port === localPort) return null;
  return refusal;
}

/** The media type of a Content-Type header, lower-cased, without parameters ('' when absent). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/** Body types the relay accepts at all. None of them can be sent by a page without a CORS preflight. */
export const RELAY_BODY_TYPES: ReadonlySet<string> = new Set(['application/json', 'application/x-ndjson', 'application/jsonl', 'application/x-protobuf', 'application/protobuf']);

/** A body-carrying request must declare one of `accepted`; a missing type is refused too. */
export function contentTypeRefusal(method: string | undefined, header: string | undefined, accepted: ReadonlySet<string>): string | null {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return null;
  const type = mediaType(header);
  if (accepted.has(type)) return null;
  return `${type ? `Content-Type ${type.slice(0, 100)} is not accepted` : 'a Content-Type is required'}; send one of ${[...accepted].join(', ')}`;
}

/** Methods that change state, and so need the stricter same-origin proof. */
export function isStateChanging(method: string | undefined): boolean {
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}
