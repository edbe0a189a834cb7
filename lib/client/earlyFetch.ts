/**
 * A read started before the page that needs it has mounted — on a hover, focus or press of a
 * link (the trace list's links start the trace outline) — and handed to the first query that
 * asks for the same URL soon after. Opening a trace otherwise waits for the route's request,
 * its scripts and the first render before its one big read even starts; started from the
 * link, the read runs beside all of that. Module state on purpose: each page has its own
 * QueryClient, and the link and the page that reads are on different pages of one tab.
 * Nothing is reused for long (`ttlMs`), and a reading is handed out once.
 *
 * The body is parsed as soon as it arrives, so a page that mounts after the read has settled
 * takes it synchronously (`takeSettled`) and renders with it in its first pass, instead of
 * rendering a loading state, waiting a tick for the query and rendering again.
 */
export const EARLY_TTL_MS = 5000;

/** A finished GET: its status and its JSON body (null when the body is not JSON). */
export interface JsonReading {
  ok: boolean;
  status: number;
  body: unknown;
}

/** Reads a response's JSON body (null when it is not JSON) beside its status. */
export async function readJson(res: Response): Promise<JsonReading> {
  return { ok: res.ok, status: res.status, body: await res.json().catch(() => null) };
}

interface Early {
  at: number;
  reading: Promise<JsonReading>;
  /** Set once the reading resolved. */
  settled?: JsonReading;
}

export class EarlyFetches {
  private readonly pending = new Map<string, Early>();

  constructor(
    private readonly get: (url: string) => Promise<JsonReading>,
    private readonly ttlMs = EARLY_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts `url` unless a fresh read of it is already under way. */
  start(url: string): void {
    const t = this.now();
    for (const [u, e] of this.pending) if (t - e.at > this.ttlMs) this.pending.delete(u);
    if (this.pending.has(url)) return;
    const early: Early = { at: t, reading: this.get(url) };
    // Nobody may take it (the pointer only passed over the link): a failure is not an unhandled rejection.
    early.reading.then((r) => (early.settled = r), () => undefined);
    this.pending.set(url, early);
  }

  /** The read started for `url` if it is fresh, once; else undefined (the caller fetches as usual). */
  take(url: string): Promise<JsonReading> | undefined {
    const e = this.pending.get(url);
    if (!e) return undefined;
    this.pending.delete(url);
    return this.now() - e.at > this.ttlMs ? undefined : e.reading;
  }

  /**
   * The read of `url` if it has already succeeded and is fresh, once, with when it started;
   * else undefined, and a read still under way (or failed) stays for `take`.
   */
  takeSettled(url: string): { body: unknown; at: number } | undefined {
    const e = this.pending.get(url);
    if (!e?.settled?.ok || this.now() - e.at > this.ttlMs) return undefined;
    this.pending.delete(url);
    return { body: e.settled.body, at: e.at };
  }
}

/** The tab's early reads (same-origin GETs with the session cookie, as the queries make them). */
export const earlyFetches = new EarlyFetches((url) => fetch(url, { credentials: 'same-origin' }).then(readJson));
