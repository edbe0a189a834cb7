/**
 * Process configuration from the environment, validated once at start-up: a bad value
 * stops the process with a clear message instead of running half-configured.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { LIMITS } from '../lib/protocol/limits';
import { DEFAULT_ATTEMPT_POLICY, type AttemptPolicy } from './auth/attemptLimiter';
import { parseHostList, parseOriginList } from './http/originGuard';
import type { PriceTable } from '../lib/cost/prices';
import { loadPriceTable } from './cost/loadPrices';
import { parseAge, parseBytes } from './configUnits';

const count = z.coerce.number().int().positive();
const port = z.coerce.number().int().min(0).max(65535);
const age = z.string().transform((v, ctx) => parseAge(v) ?? (ctx.addIssue({ code: 'custom', message: 'an age such as 72h, 30d or 90m' }), z.NEVER));
const bytes = z.string().transform((v, ctx) => parseBytes(v) ?? (ctx.addIssue({ code: 'custom', message: 'a size such as 10GB, 512MiB or 1000000' }), z.NEVER));

/** `0` (off) or an age up to 1 s: well inside the SDK's 5 s resend timeout, so a held ack never causes a resend. */
const ackHold = z.string().transform((v, ctx) => {
  const ms = /^\s*0+\s*(ms|s)?\s*$/i.test(v) ? 0 : parseAge(v);
  return ms !== null && ms <= 1000 ? ms : (ctx.addIssue({ code: 'custom', message: '0 or an age up to 1s, such as 200ms' }), z.NEVER);
});

/** An empty variable (`ADMIN_TOKEN=`) means unset, as shells and CI files tend to produce. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
/** Shared secrets must not be guessable by brute force: 16 characters at least. */
const MIN_SECRET = 16;
/** MB of heap growth after which a quiet server lets V8 reduce memory (heapRelease.ts): a 1M-event ingest grows it ~150 MB. */
const DEFAULT_HEAP_RELEASE_MB = 64;
/**
 * 200 ms, TCP's longest delayed ACK on Linux (TCP_DELACK_MAX). On 1,000 agents streaming acked
 * single frames (~60 tokens/s each) an ack then carries ~14 ids instead of ~3, and each ack
 * frame saved is a loopback writev of ~11 µs on the event loop (issue 18's profile).
 */
const DEFAULT_ACK_HOLD_MS = 200;
/** A comma list parsed by `parse`, which throws with the bad entry; the message becomes the config error. */
const list = <T>(parse: (csv: string | undefined) => T) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return parse(v);
      } catch (err) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
        return z.NEVER;
      }
    });

/** Per-address caps and slow-peer timeouts; every one an env var, documented in README "Security". */
export interface PeerLimits {
  wsPerAddress: number;
  wsTotal: number;
  wsUnregisteredPerAddress: number;
  registerTimeoutMs: number;
  ssePerAddress: number;
  sseTotal: number;
  callsPerAddress: number;
  callsTotal: number;
  socketIoPerAddress: number;
  socketIoConnectTimeoutMs: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  bodyIdleTimeoutMs: number;
}

export const DEFAULT_PEER_LIMITS: PeerLimits = {
  wsPerAddress: 10_000,
  wsTotal: 50_000,
  wsUnregisteredPerAddress: 1000,
  registerTimeoutMs: 5000,
  ssePerAddress: 100,
  sseTotal: LIMITS.sseClients,
  callsPerAddress: 5000,
  callsTotal: LIMITS.pendingCallsTotal,
  socketIoPerAddress: 100,
  socketIoConnectTimeoutMs: 5000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  bodyIdleTimeoutMs: 10_000,
};

const D = DEFAULT_PEER_LIMITS;
const envSchema = z.object({
  PORT: port.default(3000),
  RELAY_PORT: port.default(9002),
  /** Host the dashboard binds to. */
  HOST: z.string().default('0.0.0.0'),
  /** Host the relay binds to; defaults to loopback unless agent keys are configured. */
  RELAY_HOST: optional(z.string()),
  XRAY_DATA_DIR: z.string().default('./data'),
  XRAY_SYNC: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  /**
   * Where SQLite appends run: inline on the event loop, or a worker thread. Inline by default:
   * on 2 cores the thread cost more than it saved (README, Performance: the writer thread).
   */
  XRAY_SQLITE_WRITER: z.enum(['thread', 'inline']).default('inline'),
  /**
   * How far V8 lets the old generation grow past what survived the last full GC before the
   * next one, in percent (server/heapGrowth.ts). 0 (the default): V8's own factor, which lets
   * the heap grow to several times the live data under ingest (README, Benchmark: server RSS).
   */
  XRAY_HEAP_GROWTH_PERCENT: optional(z.coerce.number().int().min(0).max(400)),
  /**
   * Let V8 give the heap back once the server goes quiet after it grew by this many MB
   * (server/heapRelease.ts): once the event loop is under 10% busy, V8 is told to optimize for
   * memory (until the loop passes 25% or the heap is back), and its memory reducer runs its
   * incremental, compacting GCs. Default 64; 0: never.
   */
  XRAY_HEAP_RELEASE_MB: optional(z.coerce.number().int().min(0).max(65_536)),
  /** Multi-node mode: the shared PostgreSQL log (postgres://user:pass@host:port/db). Unset: the node's SQLite file. */
  XRAY_DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'a postgres:// or postgresql:// URL')),
  /** This node's name in a cluster (leases, logs); default host name:relay port. */
  XRAY_NODE_ID: optional(z.string().min(1).max(128).regex(/^[\w.:@-]+$/, 'letters, digits and . : @ _ -')),
  /** How long a node's agent-name leases live without a heartbeat (a dead node's names free after this). */
  XRAY_LEASE_TTL: optional(age),
  /** The log tail's fallback poll in multi-node mode (LISTEN/NOTIFY wakes it at once). */
  XRAY_TAIL_POLL: optional(age),
  ADMIN_TOKEN: optional(z.string().min(MIN_SECRET, `ADMIN_TOKEN must be at least ${MIN_SECRET} characters`)),
  RELAY_KEYS: optional(
    z.string().refine(
      (v) => v.split(',').every((k) => k.trim() === '' || k.trim().length >= MIN_SECRET),
      `every RELAY_KEYS entry must be at least ${MIN_SECRET} characters (comma-separated keys)`,
    ),
  ),
  XRAY_RATE_LIMIT: z.coerce.number().int().positive().default(20_000),
  /** Longest an agent's ack waits for its other in-flight acked messages (server/relay/ackCoalescer.ts); `0` never holds one. */
  XRAY_ACK_HOLD: optional(ackHold),
  /** REST/OTLP requests per second per client address on the relay, burst 2×. */
  XRAY_HTTP_RATE_LIMIT: z.coerce.number().int().positive().default(1000),
  // Fair shares per client address (issue 11, class 3); a global bound stays the outer limit.
  XRAY_WS_PER_ADDRESS: count.default(D.wsPerAddress),
  XRAY_WS_TOTAL: count.default(D.wsTotal),
  XRAY_WS_UNREGISTERED_PER_ADDRESS: count.default(D.wsUnregisteredPerAddress),
  XRAY_REGISTER_TIMEOUT_MS: count.default(D.registerTimeoutMs),
  XRAY_SSE_PER_ADDRESS: count.default(D.ssePerAddress),
  XRAY_SSE_TOTAL: count.default(D.sseTotal),
  XRAY_CALLS_PER_ADDRESS: count.default(D.callsPerAddress),
  XRAY_CALLS_TOTAL: count.default(D.callsTotal),
  XRAY_SOCKETIO_PER_ADDRESS: count.default(D.socketIoPerAddress),
  XRAY_SOCKETIO_CONNECT_TIMEOUT_MS: count.default(D.socketIoConnectTimeoutMs),
  // Slow peers (slowloris): both HTTP servers.
  XRAY_HEADERS_TIMEOUT_MS: count.default(D.headersTimeoutMs),
  XRAY_REQUEST_TIMEOUT_MS: count.default(D.requestTimeoutMs),
  XRAY_BODY_IDLE_TIMEOUT_MS: count.default(D.bodyIdleTimeoutMs),
  /** Dashboard API reads + socket subscribe/resync per second per session (admin session, Bearer, or embed token), burst 4×. */
  XRAY_SESSION_RATE_LIMIT: z.coerce.number().positive().default(20),
  /** Socket subscribe/unsubscribe/resync messages per second per dashboard connection, burst 4×. */
  XRAY_SOCKET_RATE_LIMIT: z.coerce.number().positive().default(5),
  /** Estimated bytes of recent events the dashboard fanout keeps in memory; a client further behind gets a snapshot. */
  XRAY_FANOUT_WINDOW_BYTES: optional(bytes),
  /** Window (ms) of the event-loop delay p99/max reported on /metrics. */
  XRAY_LOOP_DELAY_WINDOW_MS: z.coerce.number().int().min(100).default(5000),
  /** CSP frame-ancestors sources allowed to frame /embed/* pages. */
  EMBED_FRAME_ANCESTORS: z
    .string()
    .regex(/^[\w\s:/.*'-]+$/, "space-separated CSP sources, e.g. 'self' https://grafana.example.com")
    .default("'self'"),
  // --- Browser origins and auth edges (issue 11, classes 4–5) ---
  /** Browser origins allowed to use the relay (comma list of scheme://host[:port]); none by default. */
  RELAY_ALLOWED_ORIGINS: list(parseOriginList),
  /** Extra Host names a loopback-bound relay answers to (name or name:port), besides localhost/127.0.0.1/[::1]. */
  RELAY_ALLOWED_HOSTS: list(parseHostList),
  /** Extra origins the dashboard accepts besides its own (e.g. behind a proxy that rewrites Host). */
  DASHBOARD_ALLOWED_ORIGINS: list(parseOriginList),
  /** Failed logins / agent keys per client address before backoff starts. */
  XRAY_AUTH_FREE_ATTEMPTS: z.coerce.number().int().min(0).default(10),
  /** Longest backoff (seconds) after repeated failed logins / agent keys; it doubles from 1 s. */
  XRAY_AUTH_BACKOFF_MAX_S: z.coerce.number().int().min(1).default(300),
  /** Model price table (YAML or JSON); unset: the shipped, dated config/prices.yaml. */
  XRAY_PRICES: optional(z.string()),
  /** Forward captured spans to this OTLP/HTTP traces endpoint (e.g. http://jaeger:4318/v1/traces). */
  XRAY_OTLP_EXPORT_URL: optional(z.string().url().refine((u) => /^https?:/.test(u), 'an http(s) URL')),
  /** Export encoding, as OTEL_EXPORTER_OTLP_PROTOCOL. */
  XRAY_OTLP_EXPORT_PROTOCOL: z.enum(['http/protobuf', 'http/json']).default('http/protobuf'),
  /** Extra headers for the export, `key=value,key2=value2` (as OTEL_EXPORTER_OTLP_HEADERS). */
  XRAY_OTLP_EXPORT_HEADERS: optional(z.string().regex(/^([^=,]+=[^,]*)(,[^=,]+=[^,]*)*$/, 'key=value pairs separated by commas')),
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
  /** YAML file of evidence gates (server/gates), reloaded when it changes. */
  XRAY_GATES: optional(z.string()),
  /** Test-only fault injection: hold every log commit this many ms. */
  XRAY_FAULT_COMMIT_DELAY_MS: z.coerce.number().int().min(0).default(0),
  /** Test-only fault injection: while this file exists, every log write fails as on a full disk. */
  XRAY_FAULT_FAIL_WRITES_FILE: optional(z.string().min(1)),
  NODE_ENV: z.string().default('development'),
});

export interface XrayConfig {
  port: number;
  relayPort: number;
  host: string;
  relayHost: string;
  dataDir: string;
  sync: 'NORMAL' | 'FULL';
  sqliteWriter: 'thread' | 'inline';
  /** V8's old-generation growth between full GCs, in percent; 0 (default) leaves V8's own (heapGrowth.ts). */
  heapGrowthPercent: number;
  /** Heap growth (MB) after which a quiet server lets V8 reduce its memory; default 64, 0 = never (heapRelease.ts). */
  heapReleaseMb: number;
  /** Multi-node mode when set (README, "Multi-node"). */
  databaseUrl: string | null;
  nodeId: string;
  leaseTtlMs: number;
  tailPollMs: number;
  adminToken?: string;
  relayKeys: Set<string> | null;
  rateLimitPerSecond: number;
  /** XRAY_ACK_HOLD in ms. */
  ackHoldMs: number;
  httpRateLimitPerSecond: number;
  embedFrameAncestors: string;
  sessionRatePerSecond: number;
  socketRatePerSecond: number;
  loopDelayWindowMs: number;
  /** The fanout window's byte bound (XRAY_FANOUT_WINDOW_BYTES). */
  fanoutWindowBytes: number;
  commitDelayMs: number;
  /** Test-only: log writes fail while this file exists (store/writeFaults.ts). */
  failWritesFile: string | null;
  limits: PeerLimits;
  /** Retention and storage upkeep (README, Operations). */
  retentionMs: number | null;
  maxLogBytes: number | null;
  retentionIntervalMs: number;
  retentionBatch: number;
  storageProbeMs: number;
  storageHeadroomBytes: number;
  startupCheckMaxBytes: number;
  gatesFile: string | null;
  dev: boolean;
  // --- Browser origins and auth edges ---
  relayAllowedOrigins: ReadonlySet<string>;
  relayAllowedHosts: ReadonlySet<string>;
  dashboardAllowedOrigins: ReadonlySet<string>;
  authFreeAttempts: number;
  authBackoffMaxS: number;
  prices: PriceTable;
  otlpExport: { url: string; headers: Map<string, string>; protocol: 'http/protobuf' | 'http/json' } | null;
}

/** Percent-decoded like OTEL_EXPORTER_OTLP_HEADERS; a stray `%` is kept as typed. */
const unescape = (v: string) => {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
};

function parseHeaderList(text: string | undefined): Map<string, string> {
  const headers = new Map<string, string>();
  for (const pair of text ? text.split(',') : []) {
    const i = pair.indexOf('=');
    headers.set(unescape(pair.slice(0, i).trim()).toLowerCase(), unescape(pair.slice(i + 1).trim()));
  }
  return headers;
}

/**
 * 8 MiB of recent events (estimated): at 1,000 tokens/s of ~250-character tokens that is ~11 s
 * of backlog served as deltas; a client further behind catches up through a snapshot. Memory
 * held for stalled dashboards stays this bound, however many there are (issue 18: ≤ 20 MB).
 */
export const DEFAULT_FANOUT_WINDOW_BYTES = 8 * 2 ** 20;

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
    sqliteWriter: e.XRAY_SQLITE_WRITER,
    heapGrowthPercent: e.XRAY_HEAP_GROWTH_PERCENT ?? 0,
    heapReleaseMb: e.XRAY_HEAP_RELEASE_MB ?? DEFAULT_HEAP_RELEASE_MB,
    databaseUrl: e.XRAY_DATABASE_URL ?? null,
    nodeId: e.XRAY_NODE_ID ?? `${os.hostname()}:${e.RELAY_PORT}`,
    leaseTtlMs: e.XRAY_LEASE_TTL ?? 10_000,
    tailPollMs: e.XRAY_TAIL_POLL ?? 1000,
    adminToken: e.ADMIN_TOKEN,
    relayKeys: keys,
    rateLimitPerSecond: e.XRAY_RATE_LIMIT,
    ackHoldMs: e.XRAY_ACK_HOLD ?? DEFAULT_ACK_HOLD_MS,
    httpRateLimitPerSecond: e.XRAY_HTTP_RATE_LIMIT,
    embedFrameAncestors: e.EMBED_FRAME_ANCESTORS,
    sessionRatePerSecond: e.XRAY_SESSION_RATE_LIMIT,
    socketRatePerSecond: e.XRAY_SOCKET_RATE_LIMIT,
    loopDelayWindowMs: e.XRAY_LOOP_DELAY_WINDOW_MS,
    fanoutWindowBytes: e.XRAY_FANOUT_WINDOW_BYTES ?? DEFAULT_FANOUT_WINDOW_BYTES,
    commitDelayMs: e.XRAY_FAULT_COMMIT_DELAY_MS,
    failWritesFile: e.XRAY_FAULT_FAIL_WRITES_FILE ? path.resolve(e.XRAY_FAULT_FAIL_WRITES_FILE) : null,
    limits: {
      wsPerAddress: e.XRAY_WS_PER_ADDRESS,
      wsTotal: e.XRAY_WS_TOTAL,
      wsUnregisteredPerAddress: e.XRAY_WS_UNREGISTERED_PER_ADDRESS,
      registerTimeoutMs: e.XRAY_REGISTER_TIMEOUT_MS,
      ssePerAddress: e.XRAY_SSE_PER_ADDRESS,
      sseTotal: e.XRAY_SSE_TOTAL,
      callsPerAddress: e.XRAY_CALLS_PER_ADDRESS,
      callsTotal: e.XRAY_CALLS_TOTAL,
      socketIoPerAddress: e.XRAY_SOCKETIO_PER_ADDRESS,
      socketIoConnectTimeoutMs: e.XRAY_SOCKETIO_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: e.XRAY_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.XRAY_REQUEST_TIMEOUT_MS,
      bodyIdleTimeoutMs: e.XRAY_BODY_IDLE_TIMEOUT_MS,
    },
    retentionMs: e.XRAY_RETENTION ?? null,
    maxLogBytes: e.XRAY_MAX_LOG_BYTES ?? null,
    retentionIntervalMs: e.XRAY_RETENTION_INTERVAL ?? 10_000,
    retentionBatch: e.XRAY_RETENTION_BATCH,
    storageProbeMs: e.XRAY_STORAGE_PROBE_INTERVAL ?? 2000,
    storageHeadroomBytes: e.XRAY_STORAGE_HEADROOM_BYTES ?? 16 * 2 ** 20,
    startupCheckMaxBytes: e.XRAY_STARTUP_CHECK_MAX_BYTES ?? 256 * 2 ** 20,
    gatesFile: e.XRAY_GATES ? path.resolve(e.XRAY_GATES) : null,
    dev: e.NODE_ENV !== 'production',
    relayAllowedOrigins: e.RELAY_ALLOWED_ORIGINS,
    relayAllowedHosts: e.RELAY_ALLOWED_HOSTS,
    dashboardAllowedOrigins: e.DASHBOARD_ALLOWED_ORIGINS,
    authFreeAttempts: e.XRAY_AUTH_FREE_ATTEMPTS,
    authBackoffMaxS: e.XRAY_AUTH_BACKOFF_MAX_S,
    prices: loadPriceTable(e.XRAY_PRICES),
    otlpExport: e.XRAY_OTLP_EXPORT_URL ? { url: e.XRAY_OTLP_EXPORT_URL, headers: parseHeaderList(e.XRAY_OTLP_EXPORT_HEADERS), protocol: e.XRAY_OTLP_EXPORT_PROTOCOL } : null,
  };
}

/** The failed-credential backoff (logins and agent keys) the configuration asks for. */
export function attemptPolicy(config: Pick<XrayConfig, 'authFreeAttempts' | 'authBackoffMaxS'>): AttemptPolicy {
  return { ...DEFAULT_ATTEMPT_POLICY, freeFailures: config.authFreeAttempts, maxDelayMs: config.authBackoffMaxS * 1000 };
}
