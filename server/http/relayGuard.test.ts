import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelayGuard, relayHostNames } from './relayGuard';

/** The guard in front of a handler that would answer 200: what the guard lets through reaches it. */
let server: http.Server;
let port = 0;
beforeAll(async () => {
  const guard = createRelayGuard({ allowedOrigins: new Set(['https://tool.example']), allowedHosts: relayHostNames(true, new Set()) });
  server = http.createServer((req, res) => {
    if (!guard.request(req, res)) return;
    req.resume();
    res.end('reached');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function send(method: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: '/v1/x', headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 ? 'reached' : `${res.statusCode} ${JSON.parse(body).error.code}`));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

describe('relay guard hook', () => {
  it.each([
    ['POST', { 'content-type': 'application/json' }, 'reached'],
    ['POST', { 'content-type': 'application/x-protobuf' }, 'reached'],
    ['GET', {}, 'reached'],
    ['POST', { 'content-type': 'text/plain' }, '415 unsupported_media_type'],
    ['POST', {}, '415 unsupported_media_type'],
    ['POST', { 'content-type': 'application/json', origin: 'https://evil.example' }, '403 origin_not_allowed'],
    ['POST', { 'content-type': 'application/json', origin: 'https://tool.example' }, 'reached'],
    ['GET', { host: 'rebound.example' }, '421 host_not_allowed'],
  ])('[G7] %s %j → %s', async (method, headers, expected) => {
    expect(await send(method, headers as Record<string, string>)).toBe(expected);
  });

  it('[G7] answers any Host when the relay is not loopback-only and no names were configured', () => {
    expect(relayHostNames(false, new Set())).toBeNull();
    expect([...relayHostNames(false, new Set(['relay.internal']))!]).toContain('relay.internal');
  });
});
