/**
 * Counters of refused browser requests and failed credentials, for `/metrics`. One per
 * process (like a metrics registry): every guard increments it, the exposition reads it.
 */
export const securityStats = {
  /** Requests / upgrades refused for a foreign Origin (or cross-site Sec-Fetch-Site), by plane. */
  originRefused: { relay: 0, dashboard: 0 },
  /** Relay requests refused for a Host that is not one of its names (DNS rebinding). */
  hostRefused: 0,
  /** Relay POSTs refused for their Content-Type. */
  mediaTypeRefused: 0,
  /** Wrong admin tokens at /auth/login. */
  loginFailures: 0,
  /** Logins refused unevaluated because the address was backing off. */
  loginLocked: 0,
  /** Wrong agent keys presented (register, upgrade, REST/SSE/OTLP). */
  keyFailures: 0,
  /** Agent-key attempts refused unevaluated because the address was backing off. */
  keyLocked: 0,
  /** Sessions revoked by logout. */
  sessionsRevoked: 0,
  /** Dashboard sockets disconnected because their session ended. */
  socketsDropped: 0,
};
