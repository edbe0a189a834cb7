/**
 * OTLP/HTTP protobuf encoding of exported spans (`ExportTraceServiceRequest`, opentelemetry-
 * proto trace/v1), the counterpart of our decoder: only the fields we send, written against
 * the field numbers rather than pulling a protobuf runtime into production.
 */
import { AGENT_SOURCE_ATTRIBUTE } from '../../../lib/telemetry/conventions';
import type { ExportSpan } from './exportSpan';

/** Grows a byte buffer; nested messages are encoded first, then written length-prefixed. */
class Writer {
  private chunks: number[] = [];

  varint(v: bigint | number): this {
    // int64 fields take negatives as 64-bit two's complement (ten bytes on the wire).
    let n = BigInt.asUintN(64, BigInt(v));
    while (n >= 0x80n) {
      this.chunks.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.chunks.push(Number(n));
    return this;
  }

  tag(field: number, wire: 0 | 1 | 2 | 5): this {
    return this.varint((field << 3) | wire);
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    for (const x of b) this.chunks.push(x);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  fixed64(field: number, v: bigint): this {
    this.tag(field, 1);
    const view = new DataView(new ArrayBuffer(8));
    view.setBigUint64(0, BigInt.asUintN(64, v), true);
    for (const x of new Uint8Array(view.buffer)) this.chunks.push(x);
    return this;
  }

  double(field: number, v: number): this {
    this.tag(field, 1);
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, v, true);
    for (const x of new Uint8Array(view.buffer)) this.chunks.push(x);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
const nanos = (ms: number) => BigInt(Math.round(ms * 1000)) * 1000n;

function keyValue(key: string, v: string | number | boolean): Writer {
  const value = new Writer();
  if (typeof v === 'string') value.string(1, v);
  else if (typeof v === 'boolean') value.tag(2, 0).varint(v ? 1 : 0);
  else if (Number.isInteger(v)) value.tag(3, 0).varint(v);
  else value.double(4, v);
  return new Writer().string(1, key).message(2, value);
}

function span(s: ExportSpan): Writer {
  const w = new Writer().bytes(1, hexBytes(s.traceId)).bytes(2, hexBytes(s.spanId));
  if (s.parentSpanId) w.bytes(4, hexBytes(s.parentSpanId));
  w.string(5, s.name).tag(6, 0).varint(s.kind);
  w.fixed64(7, nanos(s.startMs)).fixed64(8, nanos(Math.max(s.startMs, s.endMs)));
  for (const [k, v] of Object.entries(s.attributes)) if (v !== null && k !== AGENT_SOURCE_ATTRIBUTE) w.message(9, keyValue(k, v));
  const status = new Writer();
  if (s.status === 'error') status.string(2, s.error ?? 'error');
  status.tag(3, 0).varint(s.status === 'error' ? 2 : 1);
  return w.message(15, status);
}

export function encodeOtlpProtobuf(spans: readonly ExportSpan[]): Uint8Array {
  const byAgent = new Map<string, ExportSpan[]>();
  for (const s of spans) {
    let list = byAgent.get(s.agent);
    if (!list) byAgent.set(s.agent, (list = []));
    list.push(s);
  }
  const request = new Writer();
  for (const [agent, list] of byAgent) {
    const scope = new Writer().string(1, 'swarm-xray').string(2, '0.1.0');
    const scopeSpans = new Writer().message(1, scope);
    for (const s of list) scopeSpans.message(2, span(s));
    const resource = new Writer().message(1, keyValue('service.name', agent));
    request.message(1, new Writer().message(1, resource).message(2, scopeSpans));
  }
  return request.finish();
}
