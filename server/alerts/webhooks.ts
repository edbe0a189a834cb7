/**
 * Webhook delivery for alert transitions. One lane (queue + one request at a time) per
 * receiver, so a failing or hanging receiver only delays its own deliveries; every lane is
 * bounded (the oldest waiting delivery is dropped and counted), every request has a timeout,
 * and failures retry with exponential backoff plus jitter. Nothing here runs on the commit
 * path: the engine only enqueues.
 *
 * Idempotency: a delivery's id is derived from (firing id, transition), sent as
 * `X-Xray-Delivery`, the same on every retry, so a receiver can dedupe; after a success the
 * id is remembered and the same transition is never sent again.
 */
import type { ReceiverSpec } from '../../lib/alerts/ruleFile';

export interface Delivery {
  /** Stable per (firing, transition). */
  id: string;
  /** `firing` or `resolved`: sent as `X-Xray-Event`. */
  event: string;
  /** The JSON body for each format. */
  bodies: { json: unknown; slack: unknown };
}

export interface WebhookOptions {
  /** Deliveries waiting per receiver at most. */
  maxQueue?: number;
  /** Attempts per delivery (the first included) before it is given up. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

interface Lane {
  receiver: ReceiverSpec;
  queue: Delivery[];
  busy: boolean;
}

/** Remembered delivered ids: enough to cover every transition a lane can hold many times over. */
const DELIVERED_MEMORY = 10_000;

export class WebhookDispatcher {
  private readonly lanes = new Map<string, Lane>();
  private readonly delivered = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly controllers = new Set<AbortController>();
  private closed = false;
  readonly stats = { enqueued: 0, delivered: 0, failedAttempts: 0, dropped: 0, gaveUp: 0, duplicatesSkipped: 0 };
  private readonly maxQueue: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;

  constructor(options: WebhookOptions = {}) {
    this.maxQueue = options.maxQueue ?? 1000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.random = options.random ?? Math.random;
  }

  /** Receivers changed (rule reload): new lanes for new receivers; queued deliveries stay with their lane. */
  setReceivers(receivers: readonly ReceiverSpec[]): void {
    for (const r of receivers) {
      const lane = this.lanes.get(r.name);
      if (lane) lane.receiver = r;
      else this.lanes.set(r.name, { receiver: r, queue: [], busy: false });
    }
  }

  get queued(): number {
    let n = 0;
    for (const l of this.lanes.values()) n += l.queue.length;
    return n;
  }

  enqueue(receiverName: string, delivery: Delivery): void {
    const lane = this.lanes.get(receiverName);
    if (!lane || this.closed) return;
    if (this.delivered.has(`${receiverName}\u0000${delivery.id}`) || lane.queue.some((d) => d.id === delivery.id)) {
      this.stats.duplicatesSkipped++;
      return;
    }
    if (lane.queue.length >= this.maxQueue) {
      // Drop the oldest waiting one (not the one in flight, which is the queue head while busy).
      lane.queue.splice(lane.busy ? 1 : 0, 1);
      this.stats.dropped++;
    }
    lane.queue.push(delivery);
    this.stats.enqueued++;
    if (!lane.busy) void this.run(lane);
  }

  /** Exponential backoff with equal jitter: half the step fixed, half random. */
  backoffMs(attempt: number): number {
    const step = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return step / 2 + this.random() * (step / 2);
  }

  private async run(lane: Lane): Promise<void> {
    lane.busy = true;
    try {
      while (lane.queue.length && !this.closed) {
        const d = lane.queue[0];
        let ok = false;
        for (let attempt = 1; attempt <= this.maxAttempts && !this.closed; attempt++) {
          ok = await this.attempt(lane.receiver, d);
          if (ok) break;
          this.stats.failedAttempts++;
          if (attempt < this.maxAttempts) await this.sleep(this.backoffMs(attempt));
        }
        if (lane.queue[0] === d) lane.queue.shift();
        if (ok) {
          this.stats.delivered++;
          this.remember(`${lane.receiver.name}\u0000${d.id}`);
        } else if (!this.closed) this.stats.gaveUp++;
      }
    } finally {
      lane.busy = false;
    }
  }

  private async attempt(r: ReceiverSpec, d: Delivery): Promise<boolean> {
    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = setTimeout(() => controller.abort(), r.timeout_ms);
    try {
      const res = await fetch(r.url, {
        method: 'POST',
        headers: { ...Object.fromEntries(r.headers), 'content-type': 'application/json', 'user-agent': 'swarm-xray-alerts', 'x-xray-delivery': d.id, 'x-xray-event': d.event },
        body: JSON.stringify(r.format === 'slack' ? d.bodies.slack : d.bodies.json),
        signal: controller.signal,
        redirect: 'manual',
      });
      await res.body?.cancel().catch(() => {});
      return res.status >= 200 && res.status < 300;
    } catch {
      return false; // refused, reset, timed out: retried
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
  }

  private remember(key: string): void {
    this.delivered.add(key);
    if (this.delivered.size > DELIVERED_MEMORY) this.delivered.delete(this.delivered.values().next().value as string);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      t.unref();
      this.timers.add(t);
    });
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const c of this.controllers) c.abort();
  }
}
