/** Small helpers for node:http handlers: bounded body reading and coded JSON errors. */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { z } from 'zod';
import { XrayError } from '../../lib/protocol/errors';
import { describeZodError } from '../../lib/protocol/relay';
import { parseJsonText } from '../relay/safeJson';
import { abandonSlowBody, bodyIdleTimeoutOf } from './slowPeers';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown, extra: Record<string, unknown> = {}): void {
  const e = err instanceof XrayError ? err : new XrayError('internal');
  if (!(err instanceof XrayError)) console.error('[http] unexpected error:', err);
  sendJson(res, e.status, { error: e.toWire(), ...(e.details ?? {}), ...extra }, retryAfterHeader(e));
}

/** `Retry-After` for rate_limited answers: the backoff the error carries, else one second. */
function retryAfterHeader(e: XrayError): Record<string, string> {
  if (e.code !== 'rate_limited') return {};
  const s = e.details?.retry_after_s;
  return { 'retry-after': String(typeof s === 'number' && s > 0 ? Math.ceil(s) : 1) };
}

/** Answers a refused WebSocket upgrade with a coded JSON error and ends the socket. */
export function refuseUpgrade(socket: Duplex, err: XrayError): void {
  const body = JSON.stringify({ error: err.toWire(), ...(err.details ?? {}) });
  const extra = Object.entries(retryAfterHeader(err)).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`);
}

/**
 * Reads the body up to `limit` bytes; refuses larger ones with too_large without buffering
 * them, and a body that stalls between chunks (slowloris) with request_timeout.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(new XrayError('too_large', `body exceeds ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const idleMs = bodyIdleTimeoutOf(req);
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        req.removeAllListeners('data');
        abandonSlowBody(req);
        reject(new XrayError('request_timeout', `no body data for ${idleMs} ms`));
      }, idleMs);
      idle.unref();
    };
    armIdle();
    req.on('data', (c: Buffer) => {
      armIdle();
      size += c.length;
      if (size > limit) {
        clearTimeout(idle);
        req.removeAllListeners('data');
        req.resume();
        reject(new XrayError('too_large', `body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      clearTimeout(idle);
      resolve(Buffer.concat(chunks));
    });
    req.on('error', () => {
      // The client went away or Node's requestTimeout ended the request: a coded error, not a crash log.
      clearTimeout(idle);
      reject(new XrayError('request_timeout', 'the request body did not arrive (aborted or timed out)'));
    });
  });
}

/** Strict UTF-8 decoding: invalid byte sequences are an error, not replacement characters. */
const utf8 = new TextDecoder('utf-8', { fatal: true });
export function decodeUtf8(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new XrayError('bad_json', 'body is not valid UTF-8');
  }
}

/**
 * A JSON body must say so: a missing type is refused as well, because text/plain (or none) is
 * what a page's no-cors request sends without a CORS preflight.
 */
export function requireJsonContentType(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new XrayError('unsupported_media_type', type ? `expected application/json, got ${type.slice(0, 100)}` : 'a Content-Type: application/json header is required');
}

/** Reads, decodes, parses and validates a JSON body in one step. */
export async function readJson<T extends z.ZodType>(req: IncomingMessage, schema: T, limit: number): Promise<z.infer<T>> {
  requireJsonContentType(req);
  const text = decodeUtf8(await readBody(req, limit));
  const parsed = schema.safeParse(parseJsonText(text));
  if (!parsed.success) throw new XrayError('invalid_message', describeZodError(parsed.error));
  return parsed.data;
}
