import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attemptPolicy, loadConfig as load } from './config';
import { tempDir } from './testing/harness';

const env = (vars: Record<string, string>) => vars as NodeJS.ProcessEnv;
const loadConfig = (vars: Record<string, string | undefined>) => load({ ...vars, NODE_ENV: vars.NODE_ENV ?? 'test' } as NodeJS.ProcessEnv);

describe('configuration of conventions, prices and export', () => {
  it('[V5] XRAY_PRICES replaces the shipped table; [G6] a missing or invalid file stops start-up with the reason', () => {
    const dir = tempDir();
    const file = path.join(dir, 'prices.json');
    fs.writeFileSync(file, JSON.stringify({ as_of: '2027-01-01', models: [{ pattern: 'house-model', input: 1, output: 2 }] }));
    expect(loadConfig(env({ XRAY_PRICES: file })).prices).toMatchObject({ asOf: '2027-01-01', models: [{ pattern: 'house-model' }] });
    expect(loadConfig(env({})).prices.models.length).toBeGreaterThan(3);
    expect(() => loadConfig(env({ XRAY_PRICES: path.join(dir, 'missing.yaml') }))).toThrow(/XRAY_PRICES: cannot read/);
    fs.writeFileSync(file, '{"models":[{"pattern":"x","input":"free","output":1}]}');
    expect(() => loadConfig(env({ XRAY_PRICES: file }))).toThrow(/models\.0\.input/);
  });

  it('[V6] XRAY_OTLP_EXPORT_URL/PROTOCOL/HEADERS; [G6] a non-http URL or malformed headers are refused', () => {
    expect(loadConfig(env({})).otlpExport).toBeNull();
    expect(loadConfig(env({ XRAY_OTLP_EXPORT_URL: 'http://jaeger:4318/v1/traces', XRAY_OTLP_EXPORT_HEADERS: 'Authorization=Bearer%20abc,x-tenant=t1' })).otlpExport).toEqual({
      url: 'http://jaeger:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: new Map([['authorization', 'Bearer abc'], ['x-tenant', 't1']]),
    });
    expect(loadConfig(env({ XRAY_OTLP_EXPORT_URL: 'https://x/v1/traces', XRAY_OTLP_EXPORT_PROTOCOL: 'http/json' })).otlpExport?.protocol).toBe('http/json');
    expect(() => loadConfig(env({ XRAY_OTLP_EXPORT_URL: 'file:///etc/passwd' }))).toThrow(/XRAY_OTLP_EXPORT_URL/);
    expect(() => loadConfig(env({ XRAY_OTLP_EXPORT_URL: 'http://x', XRAY_OTLP_EXPORT_HEADERS: 'no-equals-sign' }))).toThrow(/XRAY_OTLP_EXPORT_HEADERS/);
    expect(() => loadConfig(env({ XRAY_OTLP_EXPORT_URL: 'http://x', XRAY_OTLP_EXPORT_PROTOCOL: 'grpc' }))).toThrow(/XRAY_OTLP_EXPORT_PROTOCOL/);
    expect(loadConfig(env({ XRAY_OTLP_EXPORT_URL: 'http://x', XRAY_OTLP_EXPORT_HEADERS: 'k=100%,__proto__=p' })).otlpExport?.headers).toEqual(new Map([['k', '100%'], ['__proto__', 'p']]));
  });
});

describe('configuration of memory', () => {
  it('[G5] XRAY_HEAP_GROWTH_PERCENT: unset or empty keeps V8\'s own factor (0); [G6] anything outside 0–400 is refused', () => {
    expect(loadConfig(env({})).heapGrowthPercent).toBe(0);
    expect(loadConfig(env({ XRAY_HEAP_GROWTH_PERCENT: '' })).heapGrowthPercent).toBe(0);
    expect(loadConfig(env({ XRAY_HEAP_GROWTH_PERCENT: '50' })).heapGrowthPercent).toBe(50);
    expect(loadConfig(env({ XRAY_HEAP_GROWTH_PERCENT: '100' })).heapGrowthPercent).toBe(100);
    for (const bad of ['-1', '401', '12.5', 'lots']) expect(() => loadConfig(env({ XRAY_HEAP_GROWTH_PERCENT: bad }))).toThrow(/XRAY_HEAP_GROWTH_PERCENT/);
  });

  it('[G5] XRAY_HEAP_RELEASE_MB: unset or empty is 64 (on), 0 turns the release off; [G6] anything outside 0–65536 is refused', () => {
    expect(loadConfig(env({})).heapReleaseMb).toBe(64);
    expect(loadConfig(env({ XRAY_HEAP_RELEASE_MB: '' })).heapReleaseMb).toBe(64);
    expect(loadConfig(env({ XRAY_HEAP_RELEASE_MB: '0' })).heapReleaseMb).toBe(0);
    expect(loadConfig(env({ XRAY_HEAP_RELEASE_MB: '128' })).heapReleaseMb).toBe(128);
    expect(loadConfig(env({ XRAY_HEAP_RELEASE_MB: '256' })).heapReleaseMb).toBe(256);
    for (const bad of ['-1', '65537', '1.5', 'some']) expect(() => loadConfig(env({ XRAY_HEAP_RELEASE_MB: bad }))).toThrow(/XRAY_HEAP_RELEASE_MB/);
  });
});

describe('configuration of acks', () => {
  it('[R10] XRAY_ACK_HOLD: unset or empty is 200 ms, 0 never holds, an age up to 1 s; [G6] anything else is refused', () => {
    expect(loadConfig(env({})).ackHoldMs).toBe(200);
    expect(loadConfig(env({ XRAY_ACK_HOLD: '' })).ackHoldMs).toBe(200);
    expect(loadConfig(env({ XRAY_ACK_HOLD: '0' })).ackHoldMs).toBe(0);
    expect(loadConfig(env({ XRAY_ACK_HOLD: '0ms' })).ackHoldMs).toBe(0);
    expect(loadConfig(env({ XRAY_ACK_HOLD: '20ms' })).ackHoldMs).toBe(20);
    expect(loadConfig(env({ XRAY_ACK_HOLD: '1s' })).ackHoldMs).toBe(1000);
    for (const bad of ['2s', '-5ms', '50', 'soon', '1.5s']) expect(() => loadConfig(env({ XRAY_ACK_HOLD: bad }))).toThrow(/XRAY_ACK_HOLD/);
  });
});

describe('configuration (issue 11: origins and auth edges)', () => {
  it('[G7] refuses agent keys and an admin token shorter than 16 characters', () => {
    expect(() => loadConfig({ RELAY_KEYS: 'a-long-enough-key-1,short' })).toThrow('every RELAY_KEYS entry must be at least 16 characters');
    expect(() => loadConfig({ ADMIN_TOKEN: 'fifteen-chars-x' })).toThrow('ADMIN_TOKEN must be at least 16 characters');
    const ok = loadConfig({ RELAY_KEYS: ' a-long-enough-key-1 , sixteen-chars-ok ,', ADMIN_TOKEN: 'sixteen-chars-ok' });
    expect([...ok.relayKeys!]).toEqual(['a-long-enough-key-1', 'sixteen-chars-ok']);
  });

  it('[G7] parses the origin and host allowlists, and refuses entries it cannot read', () => {
    const c = loadConfig({ RELAY_ALLOWED_ORIGINS: 'https://Tool.example,http://localhost:5173', RELAY_ALLOWED_HOSTS: 'relay.internal', DASHBOARD_ALLOWED_ORIGINS: 'https://xray.example.com' });
    expect([...c.relayAllowedOrigins]).toEqual(['https://tool.example', 'http://localhost:5173']);
    expect([...c.relayAllowedHosts]).toEqual(['relay.internal']);
    expect([...c.dashboardAllowedOrigins]).toEqual(['https://xray.example.com']);
    expect(loadConfig({}).relayAllowedOrigins.size).toBe(0); // none by default
    expect(() => loadConfig({ RELAY_ALLOWED_ORIGINS: '*' })).toThrow('RELAY_ALLOWED_ORIGINS: "*" is not an origin');
    expect(() => loadConfig({ DASHBOARD_ALLOWED_ORIGINS: 'https://a.example/path' })).toThrow('DASHBOARD_ALLOWED_ORIGINS');
    expect(() => loadConfig({ RELAY_ALLOWED_HOSTS: 'a b' })).toThrow('RELAY_ALLOWED_HOSTS');
  });

  it('[G7] turns the backoff variables into the limiter policy', () => {
    const p = attemptPolicy(loadConfig({ XRAY_AUTH_FREE_ATTEMPTS: '3', XRAY_AUTH_BACKOFF_MAX_S: '60' }));
    expect(p).toMatchObject({ freeFailures: 3, maxDelayMs: 60_000, baseDelayMs: 1000 });
    expect(attemptPolicy(loadConfig({}))).toMatchObject({ freeFailures: 10, maxDelayMs: 300_000 });
  });
});
