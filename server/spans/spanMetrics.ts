/** Prometheus lines for the span index, watches and gates (appended to GET /metrics). */
import type { SpanServices } from './spanServices';

export function spanMetricLines(spans: SpanServices): string[] {
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  metric('xray_span_index_head_seq', 'gauge', 'Last log seq reflected in the span index.', spans.index.head);
  metric('xray_span_index_updates_total', 'counter', 'Span writes applied to the index.', spans.index.stats.indexed);
  metric('xray_span_index_failures_total', 'counter', 'Index updates that failed and were retried from the log.', spans.feeder.stats.failures);
  metric('xray_span_queries_total', 'counter', 'Span queries answered.', spans.index.stats.queries);
  metric('xray_span_watches', 'gauge', 'Span watches open (SSE and WebSocket).', spans.watches.size);
  metric('xray_span_watch_matches_total', 'counter', 'Spans delivered to watches.', spans.watches.stats.delivered);
  metric('xray_gate_checks_total', 'counter', 'Evidence gate checks answered since start.', spans.gates.stats.checks);
  metric('xray_gate_passes_total', 'counter', 'Evidence gate checks that passed since start.', spans.gates.stats.passes);
  return lines;
}
