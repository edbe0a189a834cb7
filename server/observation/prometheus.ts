/** `GET /metrics`: Prometheus text exposition of ingest, fanout and process figures. */
import type { LogWriter } from '../store/logWriter';
import type { Relay } from '../relay/relay';
import { securityMetricLines } from '../http/securityStats';
import type { Fanout } from './fanout';
import type { FanoutMetrics } from './fanoutMetrics';
import type { SocketAdmission } from './socketAdmission';
import type { AddressSlots } from '../relay/addressSlots';

interface Sources {
  writer: LogWriter;
  relay: Relay;
  fanout: Fanout;
  metrics: FanoutMetrics;
  admission?: SocketAdmission;
}

export function renderMetrics({ writer, relay, fanout, metrics, admission }: Sources): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  const lags = fanout.lags();
  metric('xray_events_committed_total', 'counter', 'Events committed to the log.', writer.stats.committed);
  metric('xray_events_duplicate_total', 'counter', 'Events refused as duplicates (same id).', writer.stats.duplicates);
  metric('xray_log_commit_batches_total', 'counter', 'Log transactions committed.', writer.stats.batches);
  metric('xray_log_head_seq', 'gauge', 'Highest seq in the log.', writer.head());
  metric('xray_relay_agents', 'gauge', 'Agents registered on the relay.', relay.agents().length);
  metric('xray_relay_calls_in_flight', 'gauge', 'Calls waiting for a worker.', relay.calls.size);
  metric('xray_relay_rejected_total', 'counter', 'Agent messages refused (bad input, limits).', relay.stats.rejected);
  metric('xray_relay_rate_limited_total', 'counter', 'Agent messages refused for the rate limit.', relay.stats.rateLimited);
  lines.push(...securityMetricLines());
  metric('xray_fanout_events_in_total', 'counter', 'Events entering the fanout.', metrics.eventsIn);
  metric('xray_fanout_deltas_total', 'counter', 'Deltas sent to dashboard subscriptions.', metrics.deltas);
  metric('xray_fanout_snapshots_total', 'counter', 'Snapshots sent (subscribe, resync, or fell behind the window).', metrics.snapshots);
  metric('xray_fanout_bytes_out_total', 'counter', 'Bytes of deltas and snapshots sent to dashboards.', metrics.bytesOut);
  metric('xray_fanout_raw_bytes_equivalent_total', 'counter', 'Estimated bytes the same events would cost as one message per frame per subscriber.', metrics.rawBytesEquivalent);
  metric('xray_fanout_bytes_saved_total', 'counter', 'Estimated bytes saved by coalescing.', Math.max(0, metrics.rawBytesEquivalent - metrics.bytesOut));
  metric('xray_fanout_skipped_backpressure_total', 'counter', 'Client ticks skipped because the socket buffer was above its high-water mark.', metrics.skippedForBackpressure);
  metric('xray_fanout_clients', 'gauge', 'Dashboard sockets connected.', fanout.clientCount);
  metric('xray_fanout_client_lag_max_seq', 'gauge', 'Worst dashboard subscription lag behind head (seq).', Math.max(0, ...lags));
  metric('xray_fanout_client_lag_sum_seq', 'gauge', 'Sum of per-client lag behind head (seq).', lags.reduce((a, b) => a + b, 0));
  lines.push('# HELP xray_fanout_latency_ms Receive-to-emit latency of the newest event in each delta.', '# TYPE xray_fanout_latency_ms histogram');
  let cumulative = 0;
  metrics.latencyBuckets.forEach((b, i) => {
    cumulative += metrics.latencyCounts[i];
    lines.push(`xray_fanout_latency_ms_bucket{le="${b}"} ${cumulative}`);
  });
  lines.push(`xray_fanout_latency_ms_bucket{le="+Inf"} ${metrics.latencyCount}`, `xray_fanout_latency_ms_sum ${metrics.latencySum}`, `xray_fanout_latency_ms_count ${metrics.latencyCount}`);
  // Per-address fair shares (issue 11): configured limits, what is held, what was refused.
  const slots = (name: string, what: string, s: AddressSlots) => {
    metric(`xray_${name}_open`, 'gauge', `${what} open.`, s.size);
    metric(`xray_${name}_addresses`, 'gauge', `Client addresses holding ${what}.`, s.addresses);
    metric(`xray_${name}_limit_per_address`, 'gauge', `Configured cap of ${what} per client address.`, s.perAddress);
    metric(`xray_${name}_limit_total`, 'gauge', `Configured cap of ${what} in total.`, s.maxTotal);
    metric(`xray_${name}_refused_per_address_total`, 'counter', `${what} refused because the address used its share.`, s.refused.address);
    metric(`xray_${name}_refused_total_cap_total`, 'counter', `${what} refused because the global cap was reached.`, s.refused.total);
  };
  const { peers } = relay;
  slots('relay_ws_connections', 'Agent WebSocket connections', peers.ws);
  slots('relay_ws_unregistered', 'Agent WebSocket connections not yet registered', peers.unregistered);
  slots('relay_sse_streams', 'SSE streams', peers.sse);
  slots('relay_calls_by_address', 'Calls in flight', peers.calls);
  metric('xray_relay_register_timeouts_total', 'counter', 'Agent sockets closed for not registering in time.', peers.stats.registerTimeouts);
  metric('xray_relay_register_timeout_ms', 'gauge', 'Configured register timeout (ms).', peers.limits.registerTimeoutMs);
  metric('xray_relay_slow_bodies_total', 'counter', 'Relay requests refused because the body stalled.', peers.stats.slowBodies);
  metric('xray_http_headers_timeout_ms', 'gauge', 'Configured header timeout on both ports (ms).', peers.limits.headersTimeoutMs);
  metric('xray_http_request_timeout_ms', 'gauge', 'Configured request timeout on both ports (ms).', peers.limits.requestTimeoutMs);
  metric('xray_http_body_idle_timeout_ms', 'gauge', 'Configured body idle timeout on both ports (ms).', peers.limits.bodyIdleTimeoutMs);
  if (admission) {
    slots('dashboard_socket_connections', 'Dashboard Socket.IO connections', admission.slots);
    metric('xray_dashboard_socket_unauthenticated_closed_total', 'counter', 'Dashboard Socket.IO connections refused by auth and closed.', admission.stats.unauthenticatedClosed);
    metric('xray_dashboard_slow_bodies_total', 'counter', 'Dashboard requests refused because the body stalled.', admission.stats.slowBodies);
  }
  const mem = process.memoryUsage();
  metric('xray_process_heap_used_bytes', 'gauge', 'V8 heap in use.', mem.heapUsed);
  metric('xray_process_rss_bytes', 'gauge', 'Resident set size.', mem.rss);
  return lines.join('\n') + '\n';
}
