import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { tempDir } from './testing/harness';

const env = (vars: Record<string, string>) => vars as NodeJS.ProcessEnv;

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
