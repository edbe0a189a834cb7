/**
 * Test helper: a security scan reported through the official OpenTelemetry JS SDK and its
 * OTLP/HTTP protobuf exporter — a root span and a `security_scan_complete` child carrying
 * `vulnerabilities.critical`, as a real scanner's instrumentation would.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

export interface ExportedScan {
  traceId: string;
  spanId: string;
  rootSpanId: string;
}

export async function exportScan(relayUrl: string, critical: number, options: { name?: string; endedAgoMs?: number; service?: string; headers?: Record<string, string> } = {}): Promise<ExportedScan> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.service ?? 'security-scanner' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${relayUrl}/v1/traces`, headers: options.headers }) })],
  });
  const tracer = provider.getTracer('scanner');
  const end = Date.now() - (options.endedAgoMs ?? 0);
  const root = tracer.startSpan('scan repository', { startTime: end - 50 });
  const scan = tracer.startSpan(options.name ?? 'security_scan_complete', { startTime: end - 40, attributes: { 'vulnerabilities.critical': critical, 'scan.tool': 'trivy' } }, trace.setSpan(context.active(), root));
  scan.end(end - 1);
  root.end(end);
  await provider.forceFlush();
  await provider.shutdown();
  return { traceId: scan.spanContext().traceId, spanId: scan.spanContext().spanId, rootSpanId: root.spanContext().spanId };
}
