/** OTLP/HTTP JSON (`application/json`): validated with zod, ids as hex, times as decimal strings. */
import { z } from 'zod';
import { XrayError } from '../../lib/protocol/errors';
import { describeZodError } from '../../lib/protocol/relay';
import { flattenValue, type OtlpSpan, type OtlpValue } from './otlpSpan';

const anyValue: z.ZodType<unknown> = z.lazy(() =>
  z
    .object({
      stringValue: z.string().optional(),
      boolValue: z.boolean().optional(),
      intValue: z.union([z.string(), z.number()]).optional(),
      doubleValue: z.number().optional(),
      arrayValue: z.object({ values: z.array(anyValue).optional() }).optional(),
      kvlistValue: z.object({ values: z.array(keyValue).optional() }).optional(),
      bytesValue: z.string().optional(),
    })
    .transform((v): unknown => v.stringValue ?? v.boolValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.arrayValue?.values ?? v.kvlistValue?.values ?? v.bytesValue ?? null),
);
const keyValue = z.object({ key: z.string().max(256), value: anyValue.optional() });
const hexId = (len: number) => z.string().regex(new RegExp(`^[0-9a-fA-F]{${len}}$`), `expected ${len} hex digits`).transform((s) => s.toLowerCase());
const nanos = z.union([z.string().regex(/^\d{1,20}$/), z.number().nonnegative()]).transform((v) => Number(BigInt(v) / 1000n) / 1000);

const span = z.object({
  traceId: hexId(32),
  spanId: hexId(16),
  parentSpanId: z.union([hexId(16), z.literal('')]).optional(),
  name: z.string().max(256),
  kind: z.number().int().optional(),
  startTimeUnixNano: nanos,
  endTimeUnixNano: nanos,
  attributes: z.array(keyValue).max(256).optional(),
  events: z.array(z.object({ timeUnixNano: nanos, name: z.string().max(256), attributes: z.array(keyValue).max(64).optional() })).max(256).optional(),
  status: z.object({ code: z.number().int().optional(), message: z.string().max(4096).optional() }).optional(),
});

const request = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes: z.array(keyValue).max(256).optional() }).optional(),
        scopeSpans: z.array(z.object({ scope: z.object({ name: z.string().optional() }).optional(), spans: z.array(span).max(10_000).optional() })).optional(),
      }),
    )
    .optional(),
});

function attrs(list: { key: string; value?: unknown }[] | undefined): Record<string, OtlpValue> {
  const out: Record<string, OtlpValue> = Object.create(null); // any key is data, `__proto__` included
  for (const kv of list ?? []) out[kv.key] = flattenValue(kv.value);
  return out;
}

export function decodeOtlpJson(json: unknown): OtlpSpan[] {
  const parsed = request.safeParse(json);
  if (!parsed.success) throw new XrayError('invalid_message', `OTLP JSON: ${describeZodError(parsed.error)}`);
  const spans: OtlpSpan[] = [];
  for (const rs of parsed.data.resourceSpans ?? []) {
    const resource = attrs(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        spans.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId || null,
          name: s.name,
          kind: s.kind ?? 0,
          startMs: s.startTimeUnixNano,
          endMs: s.endTimeUnixNano,
          attributes: attrs(s.attributes),
          resource,
          scope: ss.scope?.name ?? '',
          statusCode: s.status?.code ?? 0,
          statusMessage: s.status?.message ?? '',
          events: (s.events ?? []).map((e) => ({ name: e.name, timeMs: e.timeUnixNano, attributes: attrs(e.attributes) })),
        });
      }
    }
  }
  return spans;
}
