/**
 * A read started before the page that needs it has mounted — on a hover, focus or press of a
 * link (the trace list's links start the trace outline) — and handed to the first query that
 * asks for the same URL soon after. Opening a trace otherwise waits for the route's request,
 * its scripts and the first render before its one big read even starts; started from the
 * link, the read runs beside all of that. Module state on purpose: each page has its own
 * QueryClient, and the link and the page that reads are on different pages of one tab.
 * Nothing is reused for long (`ttlMs`), and a response is handed out once.
 */
export const EARLY_TTL_MS = 5000;

export class EarlyFetches {
  private readonly pending = new Map<string, { at: number; response: Promise<Response> }>();

  constructor(
    private readonly get: (url: string) => Promise<Response>,
    private readonly ttlMs = EARLY_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts `url` unless a fresh read of it is already under way. */
  start(url: string): void {
    const t = this.now();
    for (const [u, e] of this.pending) if (t - e.at > this.ttlMs) this.pending.delete(u);
    if (this.pending.has(url)) return;
    const response = this.get(url);
    // Nobody may take it (the pointer only passed over the link): that is not an unhandled rejection.
    response.catch(() => undefined);
    this.pending.set(url, { at: t, response });
  }

  /** The read started for `url` if it is fresh, once; else undefined (the caller fetches as usual). */
  take(url: string): Promise<Response> | undefined {
    const e = this.pending.get(url);
    if (!e) return undefined;
    this.pending.delete(url);
    return this.now() - e.at > this.ttlMs ? undefined : e.response;
  }
}

/** The tab's early reads (same-origin GETs with the session cookie, as the queries make them). */
export const earlyFetches = new EarlyFetches((url) => fetch(url, { credentials: 'same-origin' }));
