import { describe, expect, it } from 'vitest';
import { attemptPolicy, loadConfig as load } from './config';

const loadConfig = (env: Record<string, string>) => load({ NODE_ENV: 'test', ...env });

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
