/**
 * Process configuration from the environment, validated once at start-up: a bad value
 * stops the process with a clear message instead of running half-configured.
 */
import path from 'node:path';
import { z } from 'zod';
import { parseAge, parseBytes } from './configUnits';

const port = z.coerce.number().int().min(0).max(65535);
const age = z.string().transform((v, ctx) => parseAge(v) ?? (ctx.addIssue({ code: 'custom', message: 'an age such as 72h, 30d or 90m' }), z.NEVER));
const bytes = z.string().transform((v, ctx) => parseBytes(v) ?? (ctx.addIssue({ code: 'custom', message: 'a size such as 10GB, 512MiB or 1000000' }), z.NEVER));

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
  /** Delete events older than this (72h, 30d). Unset: keep everything. */
  XRAY_RETENTION: optional(age),
  /** Delete the oldest events while the log holds more than this (10GB). Unset: no size limit. */
  XRAY_MAX_LOG_BYTES: optional(bytes),
  /** How often retention looks for work. */
  XRAY_RETENTION_INTERVAL: optional(age),
  /** Events per retention transaction: bounds how long one step holds the writer. */
  XRAY_RETENTION_BATCH: z.coerce.number().int().min(10).max(100_000).default(500),
  /** While the log is not writable, how often to probe whether it is again. */
  XRAY_STORAGE_PROBE_INTERVAL: optional(age),
  /** Free space the file system must have before ingest resumes after a full disk. */
  XRAY_STORAGE_HEADROOM_BYTES: optional(bytes),
  /** Logs up to this size get a full quick_check at start-up; bigger ones a bounded check. */
  XRAY_STARTUP_CHECK_MAX_BYTES: optional(bytes),
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
  /** Retention and storage upkeep (README, Operations). */
  retentionMs: number | null;
  maxLogBytes: number | null;
  retentionIntervalMs: number;
  retentionBatch: number;
  storageProbeMs: number;
  storageHeadroomBytes: number;
  startupCheckMaxBytes: number;
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
    retentionMs: e.XRAY_RETENTION ?? null,
    maxLogBytes: e.XRAY_MAX_LOG_BYTES ?? null,
    retentionIntervalMs: e.XRAY_RETENTION_INTERVAL ?? 10_000,
    retentionBatch: e.XRAY_RETENTION_BATCH,
    storageProbeMs: e.XRAY_STORAGE_PROBE_INTERVAL ?? 2000,
    storageHeadroomBytes: e.XRAY_STORAGE_HEADROOM_BYTES ?? 16 * 2 ** 20,
    startupCheckMaxBytes: e.XRAY_STARTUP_CHECK_MAX_BYTES ?? 256 * 2 ** 20,
    dev: e.NODE_ENV !== 'production',
  };
}
