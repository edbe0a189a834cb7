/** The one span shape both OTLP encodings (protobuf and JSON) decode into. */
export type OtlpValue = string | number | boolean | null;

export interface OtlpSpan {
  traceId: string; // 32 hex
  spanId: string; // 16 hex
  parentSpanId: string | null;
  name: string;
  kind: number;
  startMs: number;
  endMs: number;
  attributes: Record<string, OtlpValue>;
  resource: Record<string, OtlpValue>;
  scope: string;
  /** 0 unset, 1 ok, 2 error */
  statusCode: number;
  statusMessage: string;
  events: { name: string; timeMs: number; attributes: Record<string, OtlpValue> }[];
}

/** Flattens an OTLP AnyValue: arrays and maps become JSON text (the model keeps scalars). */
export function flattenValue(v: unknown): OtlpValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  return JSON.stringify(v).slice(0, 4096);
}
