/** `/metrics` figures of the span index, watches and evidence gates (one line each). */
import { counter, gauge, type MetricDef } from '../observation/prometheus';
import type { SpanServices } from './spanServices';

export function spanMetrics(spans: SpanServices): MetricDef[] {
  return [
    gauge('xray_span_index_head_seq', 'Last log seq reflected in the span index.', () => spans.index.head),
    counter('xray_span_index_updates_total', 'Span writes applied to the index.', () => spans.index.stats.indexed),
    counter('xray_span_index_failures_total', 'Index updates that failed and were retried from the log.', () => spans.feeder.stats.failures),
    counter('xray_span_queries_total', 'Span queries answered.', () => spans.index.stats.queries),
    gauge('xray_span_watches', 'Span watches open (SSE and WebSocket).', () => spans.watches.size),
    counter('xray_span_watch_matches_total', 'Spans delivered to watches.', () => spans.watches.stats.delivered),
    counter('xray_gate_checks_total', 'Evidence gate checks answered since start.', () => spans.gates.stats.checks),
    counter('xray_gate_passes_total', 'Evidence gate checks that passed since start.', () => spans.gates.stats.passes),
  ];
}
