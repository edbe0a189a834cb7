/**
 * W3C Trace Context identifiers. A Neural Trace ID is a W3C trace id (32 lowercase hex, not
 * all zeros); spans are 16 hex. Works in Node and the browser (Web Crypto).
 */
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function isTraceId(value: string): boolean {
  return TRACE_ID.test(value) && !/^0+$/.test(value);
}

export function isSpanId(value: string): boolean {
  return SPAN_ID.test(value) && !/^0+$/.test(value);
}

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * Random bytes drawn from a pool that the platform's CSPRNG refills 4 KiB at a time. One
 * getRandomValues call per id cost 13% of the relay's CPU when it minted an id for every token
 * (bench/relayCpu.ts --minted, 1,000 agents: one randomFillSync per 6 bytes); the bytes are the
 * same CSPRNG output either way, so ids stay as unguessable.
 */
const pool = new Uint8Array(4096);
let poolAt = pool.length;

function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolAt = 0;
  }
  let out = '';
  for (const end = poolAt + bytes; poolAt < end; poolAt++) out += HEX_BYTE[pool[poolAt]];
  return out;
}

export function mintTraceId(): string {
  let id = randomHex(16);
  while (!isTraceId(id)) id = randomHex(16);
  return id;
}

export function mintSpanId(): string {
  let id = randomHex(8);
  while (!isSpanId(id)) id = randomHex(8);
  return id;
}

/**
 * Event ids are the idempotency key. A minted one is 24 hex: the time in ms (12 hex) then 48
 * random bits, so two never collide in practice, nor can one be guessed, and ids minted
 * together sort together: the log's idempotency index is keyed by id first, and ids that grow
 * with time fill its pages in order instead of touching a page per event (migration 006).
 */
export function mintEventId(): string {
  return Date.now().toString(16).padStart(12, '0') + randomHex(6);
}

export interface TraceParent {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

/** Parses a `traceparent` header; returns undefined for anything malformed (per spec: ignore it). */
export function parseTraceparent(header: string | null | undefined): TraceParent | undefined {
  if (!header) return undefined;
  const m = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!m || m[1] === 'ff') return undefined;
  const [, , traceId, spanId, flags] = m;
  if (!isTraceId(traceId) || !isSpanId(spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}
