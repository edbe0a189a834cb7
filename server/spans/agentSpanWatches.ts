/**
 * Span watches over the agent WebSocket: `span.watch {id, q, after?}` → `span.match {id,
 * seq, span}` for every matching span, `span.unwatch {id}` stops it. At most
 * LIMITS.spanWatchesPerConnection per connection; all of a connection's watches end with it.
 * A slow agent is handled by the relay's socket policy (disconnected past its send buffer),
 * and resumes with `after` = the last seq it saw.
 */
import { XrayError } from '../../lib/protocol/errors';
import { LIMITS } from '../../lib/protocol/limits';
import type { RelayToAgent } from '../../lib/protocol/relay';
import { selectorOrThrow } from './spanRoutes';
import type { SpanWatch, SpanWatchHub } from './spanWatchHub';

/** The part of an agent session a watch needs. */
export interface WatchingSession {
  send(message: RelayToAgent): void;
}

export class AgentSpanWatches {
  private readonly bySession = new Map<WatchingSession, Map<string, SpanWatch>>();

  constructor(private readonly hub: SpanWatchHub) {}

  watch(session: WatchingSession, msg: { id: string; q: string; after?: number }): void {
    let mine = this.bySession.get(session);
    const existing = mine?.get(msg.id);
    if (!existing && (mine?.size ?? 0) >= LIMITS.spanWatchesPerConnection) {
      throw new XrayError('too_many_watches', `at most ${LIMITS.spanWatchesPerConnection} span watches per connection`);
    }
    if (!existing && this.hub.size >= LIMITS.spanWatchesTotal) throw new XrayError('too_many_watches', `the relay holds ${LIMITS.spanWatchesTotal} span watches`);
    const selector = selectorOrThrow(msg.q);
    if (existing) this.hub.remove(existing); // re-watching an id replaces it
    if (!mine) this.bySession.set(session, (mine = new Map()));
    const watch = this.hub.add(
      selector,
      { send: (seq, span) => session.send({ type: 'span.match', id: msg.id, seq, span }), full: () => false },
      msg.after,
    );
    mine.set(msg.id, watch);
    // The starting position, so the agent can resume exactly even before its first match.
    session.send({ type: 'span.watching', id: msg.id, after: watch.cursor });
  }

  unwatch(session: WatchingSession, id: string): void {
    const mine = this.bySession.get(session);
    const watch = mine?.get(id);
    if (!watch) return;
    this.hub.remove(watch);
    mine!.delete(id);
    if (!mine!.size) this.bySession.delete(session);
  }

  /** The connection closed. */
  drop(session: WatchingSession): void {
    const mine = this.bySession.get(session);
    if (!mine) return;
    for (const w of mine.values()) this.hub.remove(w);
    this.bySession.delete(session);
  }
}
