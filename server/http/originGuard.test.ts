import { describe, expect, it } from 'vitest';
import { contentTypeRefusal, dashboardOriginRefusal, hostRefusal, isLoopbackBind, LOOPBACK_NAMES, normalizeOrigin, ownOrigin, parseHostList, parseOriginList, RELAY_BODY_TYPES, relayOriginRefusal, splitHost } from './originGuard';

describe('origin lists', () => {
  it('[G7] normalizes origins and refuses anything that is not scheme://host[:port]', () => {
    expect(normalizeOrigin('HTTPS://App.Example.com:443/')).toBe('https://app.example.com');
    expect(normalizeOrigin('http://localhost:4000')).toBe('http://localhost:4000');
    for (const bad of ['null', 'file:///x', 'https://a.example/path', 'https://a.example?x=1', 'https://u:p@a.example', 'javascript:alert(1)', '', '*']) expect(normalizeOrigin(bad), bad).toBeNull();
    expect([...parseOriginList(' https://a.example , http://b.example:8080,')]).toEqual(['https://a.example', 'http://b.example:8080']);
    expect(() => parseOriginList('https://ok.example,null')).toThrow('"null" is not an origin');
    expect(parseOriginList(undefined).size).toBe(0);
    expect([...parseHostList('Relay.Internal, box:9002')]).toEqual(['relay.internal', 'box:9002']);
    expect(() => parseHostList('bad host')).toThrow('not a host name');
  });
});

describe('relay origin check', () => {
  const allowed = new Set(['https://tool.example']);
  it.each([
    ['no browser headers (agents, scripts)', {}, null],
    ['typed into the address bar', { secFetchSite: 'none' }, null],
    ['allowed origin', { origin: 'https://tool.example' }, null],
    ['allowed origin, any case', { origin: 'HTTPS://TOOL.example' }, null],
    ['foreign origin', { origin: 'https://evil.example' }, 'not allowed'],
    ['opaque origin', { origin: 'null' }, 'not allowed'],
    ['same host, other port', { origin: 'http://127.0.0.1:4000' }, 'not allowed'],
    ['no-cors GET marked cross-site', { secFetchSite: 'cross-site' }, 'other sites'],
    ['no-cors GET marked same-site', { secFetchSite: 'same-site' }, 'other sites'],
  ])('[G7] %s', (_n, headers, expected) => {
    const r = relayOriginRefusal(headers, allowed);
    if (expected === null) expect(r).toBeNull();
    else expect(r).toContain(expected);
  });
});

describe('dashboard origin check', () => {
  const own = ownOrigin('localhost:3000', 'http');
  const extra = new Set(['https://proxy.example']);
  it.each([
    ['same origin', { origin: 'http://localhost:3000' }, false, null],
    ['same origin, POST', { origin: 'http://localhost:3000', secFetchSite: 'same-origin' }, true, null],
    ['configured extra origin', { origin: 'https://proxy.example', secFetchSite: 'cross-site' }, true, null],
    ['another port of the same host', { origin: 'http://localhost:4000' }, false, 'not allowed'],
    ['another scheme', { origin: 'https://localhost:3000' }, true, 'not allowed'],
    ['opaque origin', { origin: 'null' }, true, 'not allowed'],
    ['no Origin, not a browser', {}, true, null],
    ['no Origin, cross-site navigation to a page (deep link from chat)', { secFetchSite: 'cross-site' }, false, null],
    ['no Origin, cross-site state change', { secFetchSite: 'cross-site' }, true, 'dashboard itself'],
    ['no Origin, same-site (other port) state change', { secFetchSite: 'same-site' }, true, 'dashboard itself'],
    ['no Origin, address bar', { secFetchSite: 'none' }, true, null],
  ])('[G7] %s', (_n, headers, strict, expected) => {
    const r = dashboardOriginRefusal(headers, own, extra, strict);
    if (expected === null) expect(r).toBeNull();
    else expect(r).toContain(expected);
  });
  it('[G7] its own origin is the scheme and Host of the request', () => {
    expect(ownOrigin('LocalHost:3000', 'http')).toBe('http://localhost:3000');
    expect(ownOrigin('dash.example', 'https')).toBe('https://dash.example');
    expect(ownOrigin(undefined, 'http')).toBeNull();
    expect(ownOrigin('bad host', 'http')).toBeNull();
  });
});

describe('loopback Host check (DNS rebinding)', () => {
  const names = new Set([...LOOPBACK_NAMES, 'relay.internal', 'box:8000']);
  it.each([
    ['localhost:9002', true],
    ['127.0.0.1:9002', true],
    ['[::1]:9002', true],
    ['LOCALHOST:9002', true],
    ['relay.internal:9002', true],
    ['box:8000', true],
    ['box:9002', false],
    ['localhost:9003', false],
    ['localhost', false], // port 80, not ours
    ['attacker.example:9002', false],
    ['localhost.attacker.example:9002', false],
    ['127.0.0.1.nip.io:9002', false],
    ['localhost:9002@evil', false],
    ['', false],
  ])('[G7] Host %j answered: %s', (host, ok) => {
    expect(hostRefusal(host || undefined, 9002, names) === null).toBe(ok);
  });
  it('splits names and ports', () => {
    expect(splitHost('[::1]:80')).toEqual({ name: '[::1]', port: 80 });
    expect(splitHost('a.example')).toEqual({ name: 'a.example', port: 80 });
    expect(splitHost('a:99999')).toBeNull();
  });
  it('knows loopback binds', () => {
    for (const h of ['127.0.0.1', 'localhost', '::1', '127.1.2.3']) expect(isLoopbackBind(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com']) expect(isLoopbackBind(h)).toBe(false);
  });
});

describe('content type', () => {
  it.each([
    ['POST', 'application/json', null],
    ['POST', 'Application/JSON; charset=utf-8', null],
    ['POST', 'application/x-ndjson', null],
    ['POST', 'application/x-protobuf', null],
    ['GET', undefined, null],
    ['POST', undefined, 'required'],
    ['POST', '', 'required'],
    ['POST', 'text/plain', 'not accepted'],
    ['POST', 'application/x-www-form-urlencoded', 'not accepted'],
    ['POST', 'multipart/form-data; boundary=x', 'not accepted'],
    ['PUT', 'text/plain;charset=UTF-8', 'not accepted'],
  ])('[G7] %s %s', (method, type, expected) => {
    const r = contentTypeRefusal(method, type, RELAY_BODY_TYPES);
    if (expected === null) expect(r).toBeNull();
    else expect(r).toContain(expected);
  });
});
