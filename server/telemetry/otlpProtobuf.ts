/**
 * A decoder for OTLP/HTTP protobuf `ExportTraceServiceRequest` (opentelemetry-proto
 * trace/v1), reading only the fields the model uses. Hand-written against the field numbers
 * rather than pulling a protobuf runtime: ~150 lines, bounds-checked, and it throws on
 * truncated or malformed input instead of guessing.
 */
import { XrayError } from '../../lib/protocol/errors';
import { flattenValue, type OtlpSpan, type OtlpValue } from './otlpSpan';

/** One decoder for every string: constructing one per field dominated the cost of a large export. */
const utf8 = new TextDecoder('utf-8', { fatal: false });

class Reader {
  pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  private fail(what: string): never {
    throw new XrayError('invalid_message', `malformed protobuf: ${what} at byte ${this.pos}`);
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    return this.fail('varint too long');
  }

  /** A varint as a number: lengths, tags and enums. The fast path avoids BigInt for values below 2^28. */
  uint(): number {
    const buf = this.buf;
    let result = 0;
    for (let i = 0, shift = 0; i < 4; i++, shift += 7) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = buf[this.pos++];
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
    }
    this.pos -= 4;
    return Number(this.varint());
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.end) this.fail('truncated fixed64');
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getBigUint64(0, true);
  }

  /** A fixed64 of nanoseconds as milliseconds (float; sub-microsecond precision is not kept). */
  fixed64Ms(): number {
    if (this.pos + 8 > this.end) this.fail('truncated fixed64');
    const b = this.buf;
    const p = this.pos;
    const lo = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
    const hi = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0;
    this.pos += 8;
    // Exact whole microseconds (as Number(ns / 1000n)): hi·2^32 = 1000·hi·4294967 + hi·296.
    return (hi * 4294967 + Math.floor((hi * 296 + lo) / 1000)) / 1000;
  }

  double(): number {
    if (this.pos + 8 > this.end) this.fail('truncated double');
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getFloat64(0, true);
  }

  bytes(): Uint8Array {
    const len = this.uint();
    if (len < 0 || this.pos + len > this.end) this.fail('length out of bounds');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  sub(): Reader {
    const b = this.bytes();
    return new Reader(b);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        if (this.pos + 8 > this.end) this.fail('truncated');
        this.pos += 8;
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        if (this.pos + 4 > this.end) this.fail('truncated');
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wireType}`);
    }
  }

  /** Reads the next field's tag: [field number, wire type]. */
  nextField(): [number, number] {
    const tag = this.uint();
    const field = tag >>> 3;
    if (field === 0) this.fail('field number 0');
    return [field, tag & 7];
  }

  /** Iterates fields: calls `on(field, wireType)`, which must consume the value or return false to skip it. */
  fields(on: (field: number, wire: number) => boolean): void {
    while (!this.done) {
      const tag = this.uint();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (field === 0) this.fail('field number 0');
      if (!on(field, wire)) this.skip(wire);
    }
  }
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

function anyValue(r: Reader, depth: number): unknown {
  if (depth > 8) throw new XrayError('invalid_message', 'attribute value nested too deeply');
  let value: unknown = null;
  r.fields((f, w) => {
    if (f === 1 && w === 2) value = r.string();
    else if (f === 2 && w === 0) value = r.varint() !== 0n;
    else if (f === 3 && w === 0) value = Number(BigInt.asIntN(64, r.varint()));
    else if (f === 4 && w === 1) value = r.double();
    else if (f === 5 && w === 2) {
      const arr: unknown[] = [];
      const s = r.sub();
      s.fields((ff, ww) => (ff === 1 && ww === 2 ? (arr.push(anyValue(s.sub(), depth + 1)), true) : false));
      value = arr;
    } else if (f === 6 && w === 2) {
      const obj: Record<string, unknown> = Object.create(null);
      const s = r.sub();
      s.fields((ff, ww) => {
        if (ff !== 1 || ww !== 2) return false;
        const [k, v] = keyValue(s.sub(), depth + 1);
        obj[k] = v;
        return true;
      });
      value = obj;
    } else if (f === 7 && w === 2) value = hex(r.bytes());
    else return false;
    return true;
  });
  return value;
}

function keyValue(r: Reader, depth = 0): [string, unknown] {
  let key = '';
  let value: unknown = null;
  r.fields((f, w) => {
    if (f === 1 && w === 2) key = r.string();
    else if (f === 2 && w === 2) value = anyValue(r.sub(), depth);
    else return false;
    return true;
  });
  return [key, value];
}

function attributes(into: Record<string, OtlpValue>, r: Reader): void {
  const [k, v] = keyValue(r);
  if (k) into[k] = flattenValue(v); // `into` has a null prototype: any key is data
}

function span(r: Reader, resource: Record<string, OtlpValue>, scope: string): OtlpSpan {
  const s: OtlpSpan = { traceId: '', spanId: '', parentSpanId: null, name: '', kind: 0, startMs: 0, endMs: 0, attributes: Object.create(null), resource, scope, statusCode: 0, statusMessage: '', events: [] };
  r.fields((f, w) => {
    if (f === 1 && w === 2) s.traceId = hex(r.bytes());
    else if (f === 2 && w === 2) s.spanId = hex(r.bytes());
    else if (f === 4 && w === 2) {
      const p = hex(r.bytes());
      s.parentSpanId = p.length ? p : null;
    } else if (f === 5 && w === 2) s.name = r.string();
    else if (f === 6 && w === 0) s.kind = r.uint();
    else if (f === 7 && w === 1) s.startMs = r.fixed64Ms();
    else if (f === 8 && w === 1) s.endMs = r.fixed64Ms();
    else if (f === 9 && w === 2) attributes(s.attributes, r.sub());
    else if (f === 11 && w === 2) {
      const ev = { name: '', timeMs: 0, attributes: Object.create(null) as Record<string, OtlpValue> };
      const e = r.sub();
      e.fields((ff, ww) => {
        if (ff === 1 && ww === 1) ev.timeMs = e.fixed64Ms();
        else if (ff === 2 && ww === 2) ev.name = e.string();
        else if (ff === 3 && ww === 2) attributes(ev.attributes, e.sub());
        else return false;
        return true;
      });
      s.events.push(ev);
    } else if (f === 15 && w === 2) {
      const st = r.sub();
      st.fields((ff, ww) => {
        if (ff === 2 && ww === 2) s.statusMessage = st.string();
        else if (ff === 3 && ww === 0) s.statusCode = st.uint();
        else return false;
        return true;
      });
    } else return false;
    return true;
  });
  return s;
}

/** Decodes an ExportTraceServiceRequest into spans. Throws invalid_message on malformed input. */
export function decodeOtlpProtobuf(buf: Uint8Array): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  for (const s of otlpProtobufSpans(buf)) if (s) spans.push(s);
  return spans;
}

/**
 * The spans of an ExportTraceServiceRequest, decoded lazily so the ingest route can work
 * through a 4 MiB export in slices and yield the event loop between them. Besides spans it
 * yields `null` every so often while it only walks field headers (finding a scope's name,
 * which may follow its spans on the wire): a point where the consumer may pause too.
 * Malformed input throws when reached; the route stores nothing until the whole export decoded.
 */
export function* otlpProtobufSpans(buf: Uint8Array): Generator<OtlpSpan | null> {
  const root = new Reader(buf);
  const resourceSpans: Reader[] = [];
  root.fields((f, w) => (f === 1 && w === 2 ? (resourceSpans.push(root.sub()), true) : false));
  for (const rs of resourceSpans) {
    const resource: Record<string, OtlpValue> = Object.create(null);
    const scopes: Reader[] = [];
    rs.fields((ff, ww) => {
      if (ff === 1 && ww === 2) {
        const res = rs.sub();
        res.fields((fff, www) => (fff === 1 && www === 2 ? (attributes(resource, res.sub()), true) : false));
      } else if (ff === 2 && ww === 2) scopes.push(rs.sub());
      else return false;
      return true;
    });
    // Resource may follow scope_spans on the wire: spans are built once both are known.
    for (const ss of scopes) {
      // Pass 1: the scope's name, wherever it sits (headers only).
      let scope = '';
      const start = ss.pos;
      for (let n = 1; !ss.done; n++) {
        const [f, w] = ss.nextField();
        if (f === 1 && w === 2) {
          const sc = ss.sub();
          sc.fields((fff, www) => (fff === 1 && www === 2 ? ((scope = sc.string()), true) : false));
        } else ss.skip(w);
        if (n % 1024 === 0) yield null;
      }
      // Pass 2: the spans, one at a time.
      ss.pos = start;
      while (!ss.done) {
        const [f, w] = ss.nextField();
        if (f === 2 && w === 2) yield span(ss.sub(), resource, scope);
        else ss.skip(w);
      }
    }
  }
}
