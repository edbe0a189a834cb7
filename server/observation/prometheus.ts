/** `GET /metrics`: Prometheus text exposition of ingest, fanout and process figures. */
import type { LogWriter } from '../store/logWriter';
import type { Relay } from '../relay/relay';
import type { Fanout } from './fanout';
import type { FanoutMetrics } from './fanoutMetrics';

interface Sources {
  /** Extra exposition lines from other modules (span index, gates). */
  extra?: string[];
  writer: LogWriter;
  relay: Relay;
  fanout: Fanout;
  metrics: FanoutMetrics;
}

export function renderMetrics({ writer, relay, fanout, metrics, extra = [] }: Sources): string {
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
  const mem = process.memoryUsage();
  metric('xray_process_heap_used_bytes', 'gauge', 'V8 heap in use.', mem.heapUsed);
  metric('xray_process_rss_bytes', 'gauge', 'Resident set size.', mem.rss);
  lines.push(...extra);
  return lines.join('\n') + '\n';
}
