/** Size and count limits enforced at every edge; documented in the README. */
export const LIMITS = {
  /** Largest WebSocket text message an agent may send. */
  wsMessageBytes: 1024 * 1024,
  /** Largest JSON body on REST endpoints. */
  httpBodyBytes: 1024 * 1024,
  /** Largest OTLP export body (protobuf or JSON). */
  otlpBodyBytes: 4 * 1024 * 1024,
  /** Largest call / broadcast payload (characters). */
  payloadChars: 256 * 1024,
  /** Largest token text in one frame (characters). */
  tokenTextChars: 16 * 1024,
  /** Frames in one `frames` batch. */
  framesPerBatch: 1000,
  /** Agent and topic names. */
  nameChars: 128,
  /** Nesting depth accepted in any JSON input. */
  jsonDepth: 32,
  /** Calls a single agent may have in flight as caller. */
  pendingCallsPerAgent: 1000,
  /** Calls in flight in the whole relay (default of XRAY_CALLS_TOTAL; XRAY_CALLS_PER_ADDRESS shares it out). */
  pendingCallsTotal: 20_000,
  /** Topic subscriptions per connection. */
  subscriptionsPerConnection: 256,
  /** Concurrent SSE subscribers (default of XRAY_SSE_TOTAL; XRAY_SSE_PER_ADDRESS shares it out). */
  sseClients: 1000,
  /** Default and maximum call timeouts (ms). */
  defaultCallTimeoutMs: 30_000,
  maxCallTimeoutMs: 300_000,
  /** Concurrent span watches over SSE. */
  spanWatchClients: 1000,
  /** Span watches in all (SSE and WebSocket). */
  spanWatchesTotal: 10_000,
  /** Span watches per agent WebSocket connection. */
  spanWatchesPerConnection: 16,
  /** Spans one query returns at most (more via `next`). */
  maxSpanQueryLimit: 1000,
  /** Evidence items cited in one gate check. */
  gateEvidenceItems: 32,
  /** Page size bounds for log reads. */
  maxReadLimit: 5000,
} as const;
