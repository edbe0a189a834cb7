/**
 * A minimal OTLP/HTTP protobuf encoder for tests and the benchmark: builds an
 * ExportTraceServiceRequest of many small spans (the shape of a large batch export) without
 * the OpenTelemetry SDK's per-span overhead. Field numbers from opentelemetry-proto trace/v1.
 */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const field = (num: number, wire: number) => varint((num << 3) | wire);
const lenField = (num: number, body: Uint8Array | number[]) => [...field(num, 2), ...varint(body.length), ...body];
const str = (s: string) => [...Buffer.from(s, 'utf8')];
const hexBytes = (h: string) => [...Buffer.from(h, 'hex')];
function fixed64(n: bigint): number[] {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return [...b];
}

export interface TestSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startNs: bigint;
  endNs: bigint;
}

export function encodeSpan(s: TestSpan): number[] {
  return [
    ...lenField(1, hexBytes(s.traceId)),
    ...lenField(2, hexBytes(s.spanId)),
    ...(s.parentSpanId ? lenField(4, hexBytes(s.parentSpanId)) : []),
    ...lenField(5, str(s.name)),
    ...field(7, 1),
    ...fixed64(s.startNs),
    ...field(8, 1),
    ...fixed64(s.endNs),
  ];
}

/** One ResourceSpans (service.name = `service`) with one ScopeSpans holding every span. */
export function encodeExport(service: string, spans: TestSpan[]): Buffer {
  const kv = lenField(1, [...lenField(1, str('service.name')), ...lenField(2, lenField(1, str(service)))]);
  const resource = lenField(1, kv);
  // Spans are written straight into one buffer: building tens of thousands of small arrays is slow.
  const encoded = spans.map((s) => Buffer.from(encodeSpanFast(s)));
  const chunks: Buffer[] = [];
  for (const e of encoded) chunks.push(Buffer.from([...field(2, 2), ...varint(e.length)]), e);
  const scopeSpans = Buffer.concat([Buffer.from(lenField(1, lenField(1, str('test')))), ...chunks]);
  const resourceSpans = Buffer.concat([Buffer.from(resource), Buffer.from([...field(2, 2), ...varint(scopeSpans.length)]), scopeSpans]);
  return Buffer.concat([Buffer.from([...field(1, 2), ...varint(resourceSpans.length)]), resourceSpans]);
}

function encodeSpanFast(s: TestSpan): Buffer {
  const name = Buffer.from(s.name, 'utf8');
  const out = Buffer.alloc(18 + 10 + (s.parentSpanId ? 10 : 0) + 2 + name.length + 18);
  let o = 0;
  out[o++] = 0x0a; // field 1, bytes: trace_id
  out[o++] = 16;
  o += out.write(s.traceId, o, 'hex');
  out[o++] = 0x12; // field 2: span_id
  out[o++] = 8;
  o += out.write(s.spanId, o, 'hex');
  if (s.parentSpanId) {
    out[o++] = 0x22; // field 4: parent_span_id
    out[o++] = 8;
    o += out.write(s.parentSpanId, o, 'hex');
  }
  out[o++] = 0x2a; // field 5: name (short names: one-byte length)
  out[o++] = name.length;
  o += name.copy(out, o);
  out[o++] = 0x39; // field 7, fixed64: start
  out.writeBigUInt64LE(s.startNs, o);
  o += 8;
  out[o++] = 0x41; // field 8, fixed64: end
  out.writeBigUInt64LE(s.endNs, o);
  o += 8;
  return out.subarray(0, o);
}

/** Spans of one trace under one root, sized so the export is about `bytes` long. */
export function bigExport(traceId: string, bytes: number): { body: Buffer; spans: number } {
  const spans: TestSpan[] = [];
  const root = '1'.padStart(16, '0');
  const t0 = BigInt(Date.now()) * 1_000_000n;
  let size = 0;
  for (let i = 1; size < bytes - 200; i++) {
    const s: TestSpan = { traceId, spanId: i.toString(16).padStart(16, '0'), parentSpanId: i === 1 ? undefined : root, name: `op${i % 97}`, startNs: t0 + BigInt(i) * 1000n, endNs: t0 + BigInt(i) * 1000n + 500n };
    size += 18 + 10 + (s.parentSpanId ? 10 : 0) + 2 + s.name.length + 18 + 3;
    spans.push(s);
  }
  return { body: encodeExport('otlp-bulk', spans), spans: spans.length };
}
