/**
 * The Swarm X-Ray agent SDK (Node). Everything the seed says an agent needs:
 * connect + register, handle calls, call others, broadcast/subscribe, stream tokens tagged
 * with the current Neural Trace, automatic reconnect with exponential backoff and jitter,
 * a bounded buffer of unacknowledged frames re-sent after reconnect (same ids: the relay
 * stores each once), and topic catch-up from the log after a reconnect.
 *
 *   const agent = XrayAgent.connect({ url: 'ws://localhost:9002/ws', name: 'worker-1.relay' });
 *   agent.handle('process', async (payload, call) => { await call.token('thinking…'); return 'done'; });
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { XrayError, isErrorCode } from '../protocol/errors';
import { mintEventId, mintSpanId } from '../protocol/ids';
import type { DataFrame, RelayToAgent } from '../protocol/relay';
import type { GateVerdict, SpanQueryResult, WireSpan } from '../protocol/spans';
import { backoffDelay } from './backoff';
import { Outbox, type OverflowPolicy } from './outbox';
import { ignoreUnknown } from '../assertNever';

export interface XrayAgentOptions {
  /** Relay WebSocket URL, e.g. ws://localhost:9002/ws */
  url: string;
  name: string;
  /** Agent key, when the relay has RELAY_KEYS set. */
  key?: string;
  capabilities?: string[];
  /** Unacknowledged frames kept at most (default 10,000). */
  bufferLimit?: number;
  /** What `token()` does when the buffer is full: wait for room (default) or throw buffer_full. */
  overflow?: OverflowPolicy;
  /** Frames are sent in batches at most this often (ms, default 10). */
  batchMs?: number;
  /** A frame unacknowledged this long while connected is sent again (ms, default 5,000). */
  ackTimeoutMs?: number;
  reconnect?: { baseMs?: number; maxMs?: number };
}

/** What a handler knows about the call it is serving; its helpers join the caller's trace. */
export interface CallContext {
  readonly correlationId: string;
  readonly method: string;
  readonly from: string;
  readonly traceId: string;
  readonly spanId: string;
  /** Streams one token into this call's span. */
  token(text: string): Promise<void>;
  /** Calls another agent as a child of this call (same trace, parented span). */
  call(to: string, method: string, payload: string, options?: { timeoutMs?: number }): Promise<string>;
  /** Records a child span (e.g. an LLM request) around `fn`. */
  span<T>(name: string, fn: (span: SpanContext) => Promise<T>, attributes?: Record<string, string | number | boolean>): Promise<T>;
}

export interface SpanContext {
  readonly traceId: string;
  readonly spanId: string;
  token(text: string): Promise<void>;
  /** Attributes recorded when the span ends (e.g. a tool's result: `vulnerabilities.critical`). */
  setAttributes(attributes: Record<string, string | number | boolean>): void;
}

export type CallHandler = (payload: string, call: CallContext) => Promise<string> | string;
export type TopicHandler = (payload: string, meta: { topic: string; seq: number; from: string }) => void;
export type SpanHandler = (span: WireSpan, meta: { seq: number }) => void;

interface SpanWatchState {
  q: string;
  handler: SpanHandler;
  /** Last position delivered (or the start position the relay confirmed); -1 before that. */
  lastSeq: number;
  confirm?: { resolve: () => void; reject: (e: XrayError) => void };
}

interface PendingCall {
  resolve: (payload: string) => void;
  reject: (err: XrayError) => void;
}

export class XrayAgent extends EventEmitter {
  private ws: WebSocket | null = null;
  private registered = false;
  private closed = false;
  private attempt = 0;
  private readonly outbox: Outbox;
  private readonly handlers = new Map<string, CallHandler>();
  private readonly topics = new Map<string, { handler: TopicHandler; lastSeq: number; catchingUp: boolean; held: Extract<RelayToAgent, { type: 'message' }>[] }>();
  private readonly calls = new Map<string, PendingCall>();
  private readonly tokenIndex = new Map<string, number>();
  private readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private ackTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly spanWatches = new Map<string, SpanWatchState>();
  readonly stats = { reconnects: 0, framesSent: 0, framesResent: 0, nacks: 0 };

  private constructor(private readonly options: XrayAgentOptions) {
    super();
    this.outbox = new Outbox(options.bufferLimit ?? 10_000, options.overflow ?? 'block');
  }

  static connect(options: XrayAgentOptions): XrayAgent {
    const agent = new XrayAgent(options);
    agent.open();
    agent.ackTimer = setInterval(() => agent.resendOverdue(), Math.max(250, (options.ackTimeoutMs ?? 5000) / 2));
    agent.ackTimer.unref();
    return agent;
  }

  get name(): string {
    return this.options.name;
  }

  get isReady(): boolean {
    return this.registered;
  }

  /** Resolves once registered (again, after a reconnect). */
  ready(): Promise<void> {
    if (this.registered) return Promise.resolve();
    if (this.closed) return Promise.reject(new XrayError('connection_lost', 'agent closed'));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  handle(method: string, handler: CallHandler): this {
    this.handlers.set(method, handler);
    return this;
  }

  // ---- connection lifecycle ----

  private open(): void {
    if (this.closed) return;
    const ws = new WebSocket(this.options.url, this.options.key ? { headers: { authorization: `Bearer ${this.options.key}` } } : {});
    this.ws = ws;
    ws.on('open', () => {
      this.sendRaw({ type: 'register', name: this.options.name, ...(this.options.key ? { key: this.options.key } : {}), ...(this.options.capabilities ? { capabilities: this.options.capabilities } : {}) });
    });
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('close', () => this.onDisconnect());
    ws.on('error', (err) => this.emit('connection_error', err));
  }

  private onDisconnect(): void {
    const wasRegistered = this.registered;
    this.registered = false;
    this.ws = null;
    for (const [, c] of this.calls) c.reject(new XrayError('connection_lost', 'connection to the relay lost while the call was in flight'));
    this.calls.clear();
    if (wasRegistered) this.emit('disconnected');
    if (this.closed) return;
    const delay = backoffDelay(this.attempt++, this.options.reconnect?.baseMs ?? 200, this.options.reconnect?.maxMs ?? 10_000);
    this.reconnectTimer = setTimeout(() => {
      this.stats.reconnects++;
      this.open();
    }, delay);
  }

  private onRegistered(): void {
    this.registered = true;
    this.attempt = 0;
    for (const topic of this.topics.keys()) this.resubscribe(topic);
    for (const [id, w] of this.spanWatches) this.sendWatch(id, w);
    // Everything not yet acknowledged goes again; the relay de-duplicates by id.
    this.stats.framesResent += this.outbox.requeue();
    this.scheduleFlush(0);
    for (const w of this.readyWaiters.splice(0)) w.resolve();
    this.emit('ready');
  }

  private onMessage(text: string): void {
    let msg: RelayToAgent;
    try {
      msg = JSON.parse(text) as RelayToAgent;
    } catch {
      return;
    }
    switch (msg.type) {
      case 'registered':
        this.onRegistered();
        return;
      case 'inbound_call':
        void this.serve(msg);
        return;
      case 'call_result': {
        const pending = this.calls.get(msg.ref);
        if (!pending) return;
        this.calls.delete(msg.ref);
        if (msg.error) pending.reject(new XrayError(isErrorCode(msg.error.code) ? msg.error.code : 'internal', msg.error.message, { trace_id: msg.trace_id }));
        else pending.resolve(msg.payload ?? '');
        return;
      }
      case 'message':
        this.onTopicMessage(msg);
        return;
      case 'span.watching': {
        const w = this.spanWatches.get(msg.id);
        if (!w) return;
        if (w.lastSeq < 0) w.lastSeq = msg.after;
        w.confirm?.resolve();
        w.confirm = undefined;
        return;
      }
      case 'span.match': {
        const w = this.spanWatches.get(msg.id);
        if (!w || msg.seq <= w.lastSeq) return; // duplicate after a resume
        w.lastSeq = msg.seq;
        try {
          w.handler(msg.span, { seq: msg.seq });
        } catch (err) {
          this.emit('handler_error', err);
        }
        return;
      }
      case 'ack':
        this.outbox.settle(msg.ids);
        this.emit('_ack', msg);
        return;
      case 'nack':
        this.stats.nacks++;
        this.outbox.settle(msg.ids);
        this.emit('_ack', msg);
        this.emit('nack', msg);
        return;
      case 'error':
        if (!this.registered && (msg.code === 'name_taken' || msg.code === 'unauthorized')) {
          // The old connection may not have been reaped yet (name_taken) or the key is wrong: back off and retry.
          this.emit('register_error', msg);
          this.ws?.close();
          return;
        }
        if (msg.ref && this.spanWatches.get(msg.ref)?.confirm) {
          const w = this.spanWatches.get(msg.ref)!;
          this.spanWatches.delete(msg.ref);
          w.confirm!.reject(new XrayError(isErrorCode(msg.code) ? msg.code : 'internal', msg.message));
          return;
        }
        this.emit('relay_error', msg);
        return;
      default:
        // A message type from a newer relay: this SDK does not know it and goes on.
        return ignoreUnknown(msg);
    }
  }

  // ---- calls ----

  private async serve(msg: Extract<RelayToAgent, { type: 'inbound_call' }>): Promise<void> {
    const handler = this.handlers.get(msg.method);
    const ctx = this.callContext(msg);
    let reply: { payload?: string; error?: { code: string; message: string } };
    if (!handler) reply = { error: { code: 'not_found', message: `${this.name} has no handler for "${msg.method}"` } };
    else {
      try {
        reply = { payload: await handler(msg.payload, ctx) };
      } catch (err) {
        reply = { error: { code: err instanceof XrayError ? err.code : 'worker_error', message: (err as Error).message } };
      }
    }
    // Tokens streamed by the handler land before its answer in the log.
    await this.flush().catch(() => undefined);
    this.sendRaw({ type: 'call_response', correlation_id: msg.correlation_id, ...reply });
  }

  private callContext(msg: Extract<RelayToAgent, { type: 'inbound_call' }>): CallContext {
    const { correlation_id: correlationId, trace_id: traceId, span_id: spanId } = msg;
    return {
      correlationId,
      method: msg.method,
      from: msg.from,
      traceId,
      spanId,
      token: (text) => this.token(text, { traceId, spanId }),
      call: (to, method, payload, o) => this.call(to, method, payload, { ...o, traceId, parentSpanId: spanId }),
      span: (name, fn, attributes) => this.span(name, fn, { traceId, parentSpanId: spanId, attributes }),
    };
  }

  /** Calls another agent over the relay and resolves with its answer. */
  async call(to: string, method: string, payload: string, options: { timeoutMs?: number; traceId?: string; parentSpanId?: string } = {}): Promise<string> {
    await this.ready();
    const ref = mintEventId();
    return new Promise<string>((resolve, reject) => {
      this.calls.set(ref, { resolve, reject });
      this.sendRaw({
        type: 'call',
        ref,
        to,
        method,
        payload,
        ...(options.timeoutMs ? { timeout_ms: options.timeoutMs } : {}),
        ...(options.traceId ? { trace_id: options.traceId } : {}),
        ...(options.parentSpanId ? { parent_span_id: options.parentSpanId } : {}),
      });
    });
  }

  // ---- topics ----

  /** Publishes on a topic; resolves once the relay has stored it. Re-sent after a reconnect under the same id. */
  async broadcast(topic: string, payload: string): Promise<void> {
    const id = mintEventId();
    for (;;) {
      await this.ready();
      const outcome = await new Promise<'ack' | 'lost' | XrayError>((resolve) => {
        const onAck = (m: Extract<RelayToAgent, { type: 'ack' | 'nack' }>) => {
          if (!m.ids.includes(id)) return;
          cleanup();
          resolve(m.type === 'ack' ? 'ack' : new XrayError(m.code, m.reason));
        };
        const onLost = () => {
          cleanup();
          resolve('lost');
        };
        const cleanup = () => {
          this.off('_ack', onAck);
          this.off('disconnected', onLost);
        };
        this.on('_ack', onAck);
        this.on('disconnected', onLost);
        this.sendRaw({ type: 'broadcast', id, topic, payload, ack: true });
      });
      if (outcome === 'ack') return;
      if (outcome instanceof XrayError) throw outcome;
    }
  }

  /** Subscribes; after a reconnect, messages missed meanwhile are fetched from the relay's log first. */
  subscribe(topic: string, handler: TopicHandler): void {
    this.topics.set(topic, { handler, lastSeq: -1, catchingUp: false, held: [] });
    if (this.registered) this.sendRaw({ type: 'subscribe', topic });
  }

  private resubscribe(topic: string): void {
    const sub = this.topics.get(topic)!;
    this.sendRaw({ type: 'subscribe', topic });
    if (sub.lastSeq < 0) return;
    sub.catchingUp = true;
    void this.catchUp(topic).finally(() => {
      sub.catchingUp = false;
      for (const m of sub.held.splice(0)) this.deliver(topic, m);
    });
  }

  private async catchUp(topic: string): Promise<void> {
    const sub = this.topics.get(topic)!;
    const base = this.options.url.replace(/^ws/, 'http').replace(/\/ws$/, '');
    for (let page = 0; page < 100; page++) {
      const res = await fetch(`${base}/v1/events?kind=broadcast&topic=${encodeURIComponent(topic)}&after=${sub.lastSeq}&limit=1000`, {
        headers: this.options.key ? { authorization: `Bearer ${this.options.key}` } : {},
      }).catch(() => null);
      if (!res?.ok) return;
      const body = (await res.json()) as { events: { seq: number; agent: string; data: { payload: string } }[]; more: boolean };
      for (const e of body.events) this.deliver(topic, { type: 'message', topic, payload: e.data.payload, seq: e.seq, from: e.agent });
      if (!body.more) return;
    }
  }

  private onTopicMessage(m: Extract<RelayToAgent, { type: 'message' }>): void {
    const sub = this.topics.get(m.topic);
    if (!sub) return;
    if (sub.catchingUp) sub.held.push(m);
    else this.deliver(m.topic, m);
  }

  private deliver(topic: string, m: Extract<RelayToAgent, { type: 'message' }>): void {
    const sub = this.topics.get(topic)!;
    if (m.seq <= sub.lastSeq) return; // already delivered (catch-up overlap)
    sub.lastSeq = m.seq;
    try {
      sub.handler(m.payload, { topic, seq: m.seq, from: m.from });
    } catch (err) {
      this.emit('handler_error', err);
    }
  }

  // ---- telemetry read-back: query, watch, gates ----

  private get httpBase(): string {
    return this.options.url.replace(/^ws/, 'http').replace(/\/ws$/, '');
  }

  private async rest<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const headers: Record<string, string> = this.options.key ? { authorization: `Bearer ${this.options.key}` } : {};
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.httpBase}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    } catch (err) {
      throw new XrayError('connection_lost', `relay unreachable: ${(err as Error).message}`);
    }
    const body = (await res.json().catch(() => null)) as (T & { error?: { code: string; message: string }; position?: number }) | null;
    if (!res.ok || !body) {
      const e = body?.error;
      throw new XrayError(e && isErrorCode(e.code) ? e.code : 'internal', e?.message ?? `HTTP ${res.status}`, body?.position !== undefined ? { position: body.position } : undefined);
    }
    return body;
  }

  /**
   * Spans matching a selector, newest first — the telemetry other agents left, e.g.
   * `agent.query('span[name="security_scan_complete" vulnerabilities.critical=0]')`.
   */
  query(selector: string, options: { traceId?: string; since?: number; limit?: number; cursor?: number } = {}): Promise<SpanQueryResult> {
    const qs = new URLSearchParams({ q: selector });
    if (options.traceId) qs.set('trace_id', options.traceId);
    if (options.since !== undefined) qs.set('since', String(options.since));
    if (options.limit !== undefined) qs.set('limit', String(options.limit));
    if (options.cursor !== undefined) qs.set('cursor', String(options.cursor));
    return this.rest<SpanQueryResult>(`/v1/spans?${qs}`);
  }

  /**
   * Calls `handler` for every span matching `selector` as it completes, from now on. Survives
   * reconnects: the watch resumes after the last span delivered, so none is missed or repeated.
   * Resolves (with an unwatch function) once the relay has accepted the selector.
   */
  async watch(selector: string, handler: SpanHandler, options: { after?: number } = {}): Promise<() => void> {
    const id = `w-${mintEventId()}`;
    const state: SpanWatchState = { q: selector, handler, lastSeq: options.after ?? -1 };
    const confirmed = new Promise<void>((resolve, reject) => (state.confirm = { resolve, reject }));
    this.spanWatches.set(id, state);
    if (this.registered) this.sendWatch(id, state);
    await confirmed;
    return () => {
      if (!this.spanWatches.delete(id)) return;
      this.sendRaw({ type: 'span.unwatch', id });
    };
  }

  private sendWatch(id: string, w: SpanWatchState): void {
    this.sendRaw({ type: 'span.watch', id, q: w.q, ...(w.lastSeq >= 0 ? { after: w.lastSeq } : {}) });
  }

  /**
   * Asks an evidence gate for a verdict, citing the spans that prove the requirement
   * (`[{ span_id, trace_id? }]`). Resolves with the verdict (pass or fail, with reasons);
   * throws for an unknown gate or bad input.
   */
  gate(name: string, evidence: { span_id: string; trace_id?: string }[], options: { traceId?: string; parentSpanId?: string } = {}): Promise<GateVerdict> {
    return this.rest<GateVerdict>(`/v1/gates/${encodeURIComponent(name)}/check`, {
      method: 'POST',
      body: { evidence, from: this.name, ...(options.traceId ? { trace_id: options.traceId } : {}), ...(options.parentSpanId ? { parent_span_id: options.parentSpanId } : {}) },
    });
  }

  // ---- frames ----

  /**
   * Streams one token, tagged with a trace/span (or a correlation id). Resolves once buffered;
   * waits while the buffer is full (or throws buffer_full with overflow: 'reject').
   */
  async token(text: string, tag: { traceId?: string; spanId?: string; correlationId?: string } = {}): Promise<void> {
    const key = tag.spanId ?? tag.correlationId ?? tag.traceId ?? '';
    const index = this.tokenIndex.get(key) ?? 0;
    this.tokenIndex.set(key, index + 1);
    await this.enqueue({
      type: 'token',
      id: mintEventId(),
      text,
      index,
      t: Date.now(),
      ...(tag.traceId ? { trace_id: tag.traceId } : {}),
      ...(tag.spanId ? { span_id: tag.spanId } : {}),
      ...(tag.correlationId ? { correlation_id: tag.correlationId } : {}),
    });
  }

  /** Records a span around `fn`: span.start, whatever it streams, span.end with ok/error. */
  async span<T>(name: string, fn: (span: SpanContext) => Promise<T>, where: { traceId: string; parentSpanId?: string; attributes?: Record<string, string | number | boolean> }): Promise<T> {
    const spanId = mintSpanId();
    const { traceId } = where;
    await this.enqueue({ type: 'span.start', id: mintEventId(), trace_id: traceId, span_id: spanId, name, t: Date.now(), ...(where.parentSpanId ? { parent_span_id: where.parentSpanId } : {}), ...(where.attributes ? { attributes: where.attributes } : {}) });
    const endAttributes: Record<string, string | number | boolean> = {};
    const withAttributes = () => (Object.keys(endAttributes).length ? { attributes: endAttributes } : {});
    try {
      const result = await fn({ traceId, spanId, token: (text) => this.token(text, { traceId, spanId }), setAttributes: (a) => Object.assign(endAttributes, a) });
      await this.enqueue({ type: 'span.end', id: mintEventId(), trace_id: traceId, span_id: spanId, status: 'ok', t: Date.now(), ...withAttributes() });
      return result;
    } catch (err) {
      await this.enqueue({ type: 'span.end', id: mintEventId(), trace_id: traceId, span_id: spanId, status: 'error', error: (err as Error).message.slice(0, 4000), t: Date.now(), ...withAttributes() });
      throw err;
    }
  }

  private async enqueue(frame: DataFrame & { id: string }): Promise<void> {
    if (this.closed) throw new XrayError('connection_lost', 'agent closed');
    await this.outbox.reserve();
    this.outbox.add(frame);
    this.scheduleFlush(this.options.batchMs ?? 10);
  }

  /** Resolves when every frame buffered so far is acknowledged by the relay (durable). */
  async flush(): Promise<void> {
    this.sendBatches();
    await this.outbox.drained();
  }

  get pendingFrames(): number {
    return this.outbox.size;
  }

  private scheduleFlush(delay: number): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.sendBatches();
    }, delay);
  }

  private sendBatches(): void {
    if (!this.registered || !this.ws) return;
    while (this.outbox.hasUnsent) {
      const frames = this.outbox.takeUnsent(500, Date.now());
      if (!frames.length) break;
      this.stats.framesSent += frames.length;
      this.sendRaw({ type: 'frames', frames, ack: true });
    }
  }

  private resendOverdue(): void {
    if (!this.registered) return;
    const cutoff = Date.now() - (this.options.ackTimeoutMs ?? 5000);
    const n = this.outbox.requeue((sentAt) => sentAt < cutoff);
    if (n) {
      this.stats.framesResent += n;
      this.sendBatches();
    }
  }

  private sendRaw(msg: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  /** Flushes (bounded by `timeoutMs`), then closes the connection for good. */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.registered && this.outbox.size > 0) {
      await Promise.race([this.flush(), new Promise((r) => setTimeout(r, timeoutMs))]);
    }
    this.closed = true;
    for (const t of [this.flushTimer, this.reconnectTimer]) if (t) clearTimeout(t);
    if (this.ackTimer) clearInterval(this.ackTimer);
    for (const w of this.readyWaiters.splice(0)) w.reject(new XrayError('connection_lost', 'agent closed'));
    for (const w of this.spanWatches.values()) w.confirm?.reject(new XrayError('connection_lost', 'agent closed'));
    this.spanWatches.clear();
    const ws = this.ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close();
      });
    }
  }
}
