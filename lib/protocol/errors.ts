/**
 * Every error the product can answer with, in one table: a stable machine code, the HTTP
 * status it maps to on REST, and a default human message. WS `error` messages, HTTP
 * `{error:{code,message}}` bodies and SDK exceptions all draw from here.
 */
export const ERROR_CODES = {
  bad_json: { status: 400, message: 'The message is not valid JSON.' },
  invalid_message: { status: 400, message: 'The message does not match the schema.' },
  unknown_type: { status: 400, message: 'Unknown message type.' },
  binary_not_supported: { status: 400, message: 'Binary frames are not supported; send UTF-8 JSON text.' },
  too_large: { status: 413, message: 'The message is larger than allowed.' },
  bad_url: { status: 400, message: 'The URL is malformed (bad percent-encoding or an unparsable target).' },
  unsupported_media_type: { status: 415, message: 'Unsupported Content-Type.' },
  not_registered: { status: 403, message: 'Register a name before sending this message.' },
  already_registered: { status: 409, message: 'This connection has already registered a name.' },
  name_taken: { status: 409, message: 'Another live agent has registered this name.' },
  unknown_target: { status: 404, message: 'No agent with that name is connected.' },
  call_to_self: { status: 400, message: 'An agent cannot call itself.' },
  unknown_correlation: { status: 404, message: 'No call in flight with that correlation id.' },
  worker_error: { status: 502, message: 'The worker answered with an error.' },
  worker_disconnected: { status: 502, message: 'The worker disconnected before answering.' },
  call_timeout: { status: 504, message: 'The worker did not answer in time.' },
  too_many_pending: { status: 503, message: 'Too many calls in flight.' },
  too_many_subscriptions: { status: 429, message: 'Too many subscriptions on this connection.' },
  rate_limited: { status: 429, message: 'Too many messages; slow down.' },
  too_many_connections: { status: 429, message: 'Too many connections or streams from this address.' },
  register_timeout: { status: 408, message: 'The connection did not register a name in time.' },
  request_timeout: { status: 408, message: 'The request body did not arrive in time.' },
  unauthorized: { status: 401, message: 'Missing or invalid credentials.' },
  forbidden: { status: 403, message: 'Not allowed.' },
  origin_not_allowed: { status: 403, message: 'Requests from this browser origin are not allowed.' },
  host_not_allowed: { status: 421, message: 'This server does not answer for that Host name.' },
  not_found: { status: 404, message: 'Not found.' },
  method_not_allowed: { status: 405, message: 'Method not allowed.' },
  storage_failed: { status: 503, message: 'The event could not be stored; retry.' },
  storage_unavailable: { status: 503, message: 'The event log is not writable (disk full or I/O error); nothing was stored. Retry later.' },
  storage_corrupt: { status: 500, message: 'The event log file is damaged; the server stopped accepting writes. See the README (Operations: corruption).' },
  expired: { status: 410, message: 'Older than the retention window: these events were deleted.' },
  shutting_down: { status: 503, message: 'The server is shutting down; retry shortly.' },
  buffer_full: { status: 503, message: 'The local send buffer is full.' },
  connection_lost: { status: 503, message: 'The connection to the relay was lost.' },
  bad_selector: { status: 400, message: 'The span selector is not valid.' },
  too_many_watches: { status: 429, message: 'Too many span watches.' },
  unknown_gate: { status: 404, message: 'No gate with that name is configured.' },
  internal: { status: 500, message: 'Internal error.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface WireError {
  code: ErrorCode;
  message: string;
}

/** An error that knows its wire code; thrown inside the server and the SDK, serialized at the edge. */
export class XrayError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'XrayError';
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return ERROR_CODES[this.code].status;
  }
  toWire(): WireError {
    return { code: this.code, message: this.message };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
