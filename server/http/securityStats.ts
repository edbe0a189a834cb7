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

/** Prometheus text lines for the counters above. */
export function securityMetricLines(): string[] {
  const s = securityStats;
  const counter = (name: string, help: string, values: [string, number][]) => [`# HELP ${name} ${help}`, `# TYPE ${name} counter`, ...values.map(([labels, v]) => `${name}${labels} ${v}`)];
  return [
    ...counter('xray_origin_refused_total', 'Requests and upgrades refused for a browser origin that is not allowed (403 origin_not_allowed).', [
      ['{plane="relay"}', s.originRefused.relay],
      ['{plane="dashboard"}', s.originRefused.dashboard],
    ]),
    ...counter('xray_relay_host_refused_total', 'Relay requests refused for a Host that is not one of its names (421 host_not_allowed).', [['', s.hostRefused]]),
    ...counter('xray_relay_media_type_refused_total', 'Relay POSTs refused for their Content-Type (415 unsupported_media_type).', [['', s.mediaTypeRefused]]),
    ...counter('xray_auth_failures_total', 'Wrong credentials presented.', [
      ['{kind="login"}', s.loginFailures],
      ['{kind="agent_key"}', s.keyFailures],
    ]),
    ...counter('xray_auth_locked_total', 'Credential attempts refused unevaluated while the address backs off (429 rate_limited).', [
      ['{kind="login"}', s.loginLocked],
      ['{kind="agent_key"}', s.keyLocked],
    ]),
    ...counter('xray_sessions_revoked_total', 'Admin sessions revoked by logout.', [['', s.sessionsRevoked]]),
    ...counter('xray_session_sockets_dropped_total', 'Dashboard sockets disconnected because their session ended.', [['', s.socketsDropped]]),
  ];
}
