import { describe, expect, it } from 'vitest';
import { decodeOtlpProtobuf } from '../otlpProtobuf';
import { encodeOtlpProtobuf } from './otlpProtobufEncode';
import type { ExportSpan } from './exportSpan';

const span = (over: Partial<ExportSpan>): ExportSpan => ({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  parentSpanId: null,
  name: 'greet worker',
  kind: 3,
  startMs: 1_763_000_000_123.5,
  endMs: 1_763_000_000_456,
  agent: 'worker',
  attributes: {},
  status: 'ok',
  error: null,
  ...over,
});

describe('OTLP protobuf encoding', () => {
  it('[V6] round-trips through the OTLP protobuf decoder: ids, names, times, every attribute type, status, one resource per agent', () => {
    const spans = [
      span({ attributes: { 'gen_ai.agent.name': 'worker', 'xray.tokens': 42, 'xray.time_to_first_token_ms': 12.5, negative: -3, flag: true, 'output.value': 'héllo ✓', 'xray.agent.source': 'service', dropped: null } }),
      span({ spanId: '00f067aa0ba902b7', parentSpanId: 'b7ad6b7169203331', agent: 'other', name: 'lookup', kind: 1, status: 'error', error: 'index offline' }),
    ];
    const decoded = decodeOtlpProtobuf(encodeOtlpProtobuf(spans));
    expect(decoded).toHaveLength(2);
    const [a, b] = decoded;
    expect(a).toMatchObject({ traceId: spans[0].traceId, spanId: spans[0].spanId, parentSpanId: null, name: 'greet worker', kind: 3, statusCode: 1 });
    expect(a.startMs).toBeCloseTo(spans[0].startMs, 3);
    expect(a.endMs).toBeCloseTo(spans[0].endMs, 3);
    expect(a.resource['service.name']).toBe('worker');
    expect(a.attributes).toEqual({ 'gen_ai.agent.name': 'worker', 'xray.tokens': 42, 'xray.time_to_first_token_ms': 12.5, negative: -3, flag: true, 'output.value': 'héllo ✓' });
    expect(b).toMatchObject({ spanId: '00f067aa0ba902b7', parentSpanId: 'b7ad6b7169203331', statusCode: 2, statusMessage: 'index offline' });
    expect(b.resource['service.name']).toBe('other');
  });
});
