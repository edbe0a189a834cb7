/**
 * Forwards what X-Ray captured to another OTLP/HTTP backend (`XRAY_OTLP_EXPORT_URL`: Jaeger,
 * Phoenix, Langfuse…) as OTLP protobuf (the OpenTelemetry default) or JSON. Ingest only appends to a bounded queue (no await, no
 * I/O on the commit path); a timer sends batches, retrying a failed one with exponential
 * backoff. When the queue is full new spans are dropped and counted, never buffered
 * without bound; a batch that still fails after its retries is dropped and counted too.
 */
import type { XrayEvent } from '../../../lib/protocol/events';
import { encodeOtlpJson, type ExportSpan } from './exportSpan';
import { encodeOtlpProtobuf } from './otlpProtobufEncode';
import { LiveSpans } from './liveSpans';

export type OtlpExportProtocol = 'http/protobuf' | 'http/json';

export interface OtlpExporterOptions {
  url: string;
  /** As OTEL_EXPORTER_OTLP_PROTOCOL; protobuf is the OpenTelemetry default. */
  protocol?: OtlpExportProtocol;
  /** Extra request headers (operator-given names: a Map, never a plain object). */
  headers?: ReadonlyMap<string, string>;
  maxQueue?: number;
  maxBatch?: number;
  flushIntervalMs?: number;
  maxRetries?: number;
  /** First retry delay; doubles each retry (with jitter). */
  backoffMs?: number;
  timeoutMs?: number;
  agentOf?: (traceId: string, spanId: string) => string | null;
}

export interface OtlpExportStats {
  queued: number;
  exported: number;
  dropped: number;
  failedBatches: number;
  retries: number;
}

export class OtlpExporter {
  readonly stats: OtlpExportStats = { queued: 0, exported: 0, dropped: 0, failedBatches: 0, retries: 0 };
  private readonly queue: ExportSpan[] = [];
  private readonly live: LiveSpans;
  private readonly opts: Required<Omit<OtlpExporterOptions, 'agentOf' | 'headers'>> & { headers: ReadonlyMap<string, string> };
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> | null = null;
  private closed = false;
  /** Shutting down: each remaining batch gets one attempt, no backoff (shutdown stays bounded). */
  private closing = false;

  constructor(options: OtlpExporterOptions) {
    this.opts = { protocol: 'http/protobuf', maxQueue: 10_000, maxBatch: 512, flushIntervalMs: 1000, maxRetries: 5, backoffMs: 500, timeoutMs: 10_000, headers: new Map(), ...options };
    this.live = new LiveSpans(options.agentOf);
    this.timer = setInterval(() => this.kick(), this.opts.flushIntervalMs);
    this.timer.unref();
  }

  /** Commit listener: folds events into finished spans and queues them. Never blocks. */
  readonly onCommit = (events: readonly XrayEvent[]): void => {
    if (this.closed) return;
    for (const s of this.live.apply(events)) this.enqueue(s);
  };

  enqueue(span: ExportSpan): void {
    if (this.queue.length >= this.opts.maxQueue) {
      this.stats.dropped++;
      return;
    }
    this.queue.push(span);
    this.stats.queued = this.queue.length;
    if (this.queue.length >= this.opts.maxBatch) this.kick();
  }

  private kick(): void {
    if (this.sending || !this.queue.length) return;
    this.sending = this.drain().finally(() => {
      this.sending = null;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length && !this.closed) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      this.stats.queued = this.queue.length;
      if (await this.sendWithRetry(batch)) this.stats.exported += batch.length;
      else this.stats.dropped += batch.length;
    }
  }

  private async sendWithRetry(batch: ExportSpan[]): Promise<boolean> {
    const body = this.opts.protocol === 'http/json' ? JSON.stringify(encodeOtlpJson(batch)) : encodeOtlpProtobuf(batch);
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.post(body);
      if (outcome === 'ok') return true;
      this.stats.failedBatches++;
      // 4xx other than 429 will not get better by retrying (OTLP/HTTP spec's retryable codes).
      if (outcome === 'permanent' || attempt >= this.opts.maxRetries || this.closing) return false;
      this.stats.retries++;
      const delay = this.opts.backoffMs * 2 ** attempt * (0.5 + Math.random() / 2);
      await new Promise((r) => setTimeout(r, delay).unref());
    }
  }

  private async post(body: string | Uint8Array): Promise<'ok' | 'retry' | 'permanent'> {
    const type = this.opts.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
    try {
      const res = await fetch(this.opts.url, { method: 'POST', headers: new Headers([...this.opts.headers, ['content-type', type]]), body: body as BodyInit, signal: AbortSignal.timeout(this.opts.timeoutMs) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return 'ok';
      return res.status === 429 || res.status === 502 || res.status === 503 || res.status === 504 || res.status >= 500 ? 'retry' : 'permanent';
    } catch {
      return 'retry'; // network error or timeout
    }
  }

  /** Sends what is queued (one pass, retries included), then stops. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.closing = true;
    if (this.sending) await this.sending;
    if (this.queue.length) {
      this.sending = this.drain();
      await this.sending;
    }
    this.closed = true;
  }

  /** Waits until everything queued so far has been sent or dropped (tests, shutdown). */
  async flush(): Promise<void> {
    this.kick();
    while (this.sending || this.queue.length) {
      if (this.sending) await this.sending;
      else this.kick();
    }
  }
}
