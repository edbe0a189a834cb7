/**
 * Per-session request budgets for the observation plane. A "session" is what a person or a
 * script holds: an admin session cookie, the admin Bearer token, or an embed token. Every
 * socket and every HTTP request of one session draws from the same bucket, so opening more
 * sockets (or tabs, or iframes) does not multiply what one client can make the server do.
 */
import type { IncomingMessage } from 'node:http';
import { BoundedMap } from '../store/boundedMap';
import { parseCookies, SESSION_COOKIE } from '../auth/adminAuth';

/** Who a request or socket handshake belongs to, for budgeting (not for authorization). */
export function sessionKeyOf(req: IncomingMessage, embedToken?: string | null): string {
  if (embedToken) return `embed:${embedToken}`;
  const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  if (cookie) return `session:${cookie}`;
  if (typeof req.headers.authorization === 'string') return 'bearer';
  return `addr:${req.socket.remoteAddress ?? '?'}`;
}

/** A token bucket that can also be charged after the fact (into debt, down to -burst) for work whose size shows only once done. */
class Bucket {
  private tokens: number;
  private last = performance.now();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  private refill(): void {
    const t = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
  }
  take(cost: number): boolean {
    this.refill();
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
  charge(cost: number): void {
    this.refill();
    this.tokens = Math.max(-this.burst, this.tokens - cost);
  }
}

export class SessionBudgets {
  /** Bounded: sessions idle long enough to be evicted simply start again with a full bucket. */
  private readonly buckets = new BoundedMap<string, Bucket>(10_000);
  /** Requests refused, for /metrics. */
  refused = 0;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
  ) {}

  private bucket(session: string): Bucket {
    let bucket = this.buckets.get(session);
    if (!bucket) this.buckets.set(session, (bucket = new Bucket(this.perSecond, this.burst)));
    return bucket;
  }

  take(session: string, cost = 1): boolean {
    if (this.bucket(session).take(cost)) return true;
    this.refused++;
    return false;
  }

  /** Charges work already done (a large snapshot sent): the session's next requests wait for it. */
  charge(session: string, cost: number): void {
    if (cost > 0) this.bucket(session).charge(cost);
  }
}
