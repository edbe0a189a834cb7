/**
 * Process configuration from the environment, validated once at start-up: a bad value
 * stops the process with a clear message instead of running half-configured.
 */
import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
/** An empty variable (`ADMIN_TOKEN=`) means unset, as shells and CI files tend to produce. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const envSchema = z.object({
  PORT: port.default(3000),
  RELAY_PORT: port.default(9002),
  /** Host the dashboard binds to. */
  HOST: z.string().default('0.0.0.0'),
  /** Host the relay binds to; defaults to loopback unless agent keys are configured. */
  RELAY_HOST: optional(z.string()),
  XRAY_DATA_DIR: z.string().default('./data'),
  XRAY_SYNC: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  ADMIN_TOKEN: optional(z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters')),
  RELAY_KEYS: optional(z.string()),
  XRAY_RATE_LIMIT: z.coerce.number().int().positive().default(20_000),
  /** REST/OTLP requests per second per client address on the relay, burst 2×. */
  XRAY_HTTP_RATE_LIMIT: z.coerce.number().int().positive().default(1000),
  /** CSP frame-ancestors sources allowed to frame /embed/* pages. */
  EMBED_FRAME_ANCESTORS: z
    .string()
    .regex(/^[\w\s:/.*'-]+$/, "space-separated CSP sources, e.g. 'self' https://grafana.example.com")
    .default("'self'"),
  /** YAML file of evidence gates (server/gates), reloaded when it changes. */
  XRAY_GATES: optional(z.string()),
  /** Test-only fault injection: hold every log commit this many ms. */
  XRAY_FAULT_COMMIT_DELAY_MS: z.coerce.number().int().min(0).default(0),
  NODE_ENV: z.string().default('development'),
});

export interface XrayConfig {
  port: number;
  relayPort: number;
  host: string;
  relayHost: string;
  dataDir: string;
  sync: 'NORMAL' | 'FULL';
  adminToken?: string;
  relayKeys: Set<string> | null;
  rateLimitPerSecond: number;
  httpRateLimitPerSecond: number;
  embedFrameAncestors: string;
  commitDelayMs: number;
  gatesFile: string | null;
  dev: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): XrayConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const keys = e.RELAY_KEYS ? new Set(e.RELAY_KEYS.split(',').map((k) => k.trim()).filter(Boolean)) : null;
  return {
    port: e.PORT,
    relayPort: e.RELAY_PORT,
    host: e.HOST,
    relayHost: e.RELAY_HOST ?? (keys ? '0.0.0.0' : '127.0.0.1'),
    dataDir: path.resolve(e.XRAY_DATA_DIR),
    sync: e.XRAY_SYNC,
    adminToken: e.ADMIN_TOKEN,
    relayKeys: keys,
    rateLimitPerSecond: e.XRAY_RATE_LIMIT,
    httpRateLimitPerSecond: e.XRAY_HTTP_RATE_LIMIT,
    embedFrameAncestors: e.EMBED_FRAME_ANCESTORS,
    commitDelayMs: e.XRAY_FAULT_COMMIT_DELAY_MS,
    gatesFile: e.XRAY_GATES ? path.resolve(e.XRAY_GATES) : null,
    dev: e.NODE_ENV !== 'production',
  };
}
