/**
 * Cluster-wide agent names (multi-node mode): a name is leased to the node its agent is
 * connected to, in one PostgreSQL table (unique name → node, expiry). The node renews all
 * its leases with one heartbeat; a node that dies stops renewing and its names free once
 * their lease expires (default 10 s), so `name_taken` and `unknown_target` hold across
 * nodes and a dead node cannot hold a name forever. Expiry is judged by PostgreSQL's clock
 * (`now()`), the one clock every node shares.
 */
import type pg from 'pg';

export interface NameLeasesOptions {
  /** A lease lives this long without a heartbeat. */
  ttlMs: number;
  /** Heartbeat period; default a third of the TTL, so two missed beats still hold the lease. */
  heartbeatMs?: number;
}

export class NameLeases {
  private timer: NodeJS.Timeout | null = null;
  /** Names this node holds, re-claimed by the heartbeat if PostgreSQL lost them (a restore, a failover). */
  private readonly mine = new Set<string>();
  readonly stats = { heartbeats: 0, heartbeatFailures: 0, lost: 0 };
  private readonly ttl: string;

  constructor(
    private readonly pool: pg.Pool,
    readonly nodeId: string,
    private readonly options: NameLeasesOptions,
    /** Told about a name this node held that another node now holds (it expired while PostgreSQL was unreachable). */
    private readonly onLost: (name: string) => void = () => undefined,
  ) {
    this.ttl = `${Math.max(1, Math.round(options.ttlMs))} milliseconds`;
  }

  /**
   * Takes `name` for this node unless another node holds a live lease on it. Returns whether
   * this node holds it now. Atomic across nodes (one upsert guarded by the holder's expiry).
   */
  async claim(name: string): Promise<boolean> {
    const r = await this.pool.query<{ node: string }>(
      `INSERT INTO xray_leases (name, node, expires_at) VALUES ($1, $2, now() + $3::interval)
       ON CONFLICT (name) DO UPDATE SET node = excluded.node, expires_at = excluded.expires_at
         WHERE xray_leases.node = excluded.node OR xray_leases.expires_at < now()
       RETURNING node`,
      [name, this.nodeId, this.ttl],
    );
    const ok = r.rows.length === 1;
    if (ok) this.mine.add(name);
    return ok;
  }

  /** Gives a name back (its agent disconnected). Only this node's own lease is removed. */
  async release(name: string): Promise<void> {
    this.mine.delete(name);
    await this.pool.query('DELETE FROM xray_leases WHERE name = $1 AND node = $2', [name, this.nodeId]);
  }

  /** The node holding a live lease on `name`, or null. */
  async holder(name: string): Promise<string | null> {
    const r = await this.pool.query<{ node: string }>('SELECT node FROM xray_leases WHERE name = $1 AND expires_at >= now()', [name]);
    return r.rows[0]?.node ?? null;
  }

  /** Of these names, the ones whose lease on `node` is still live. */
  async liveOn(node: string, names: readonly string[]): Promise<Set<string>> {
    if (!names.length) return new Set();
    const r = await this.pool.query<{ name: string }>('SELECT name FROM xray_leases WHERE node = $1 AND name = ANY($2::text[]) AND expires_at >= now()', [node, [...names]]);
    return new Set(r.rows.map((x) => x.name));
  }

  /** One heartbeat: extends every lease of this node, and re-takes any it lost but still needs. */
  async renew(): Promise<void> {
    this.stats.heartbeats++;
    const r = await this.pool.query<{ name: string }>('UPDATE xray_leases SET expires_at = now() + $2::interval WHERE node = $1 RETURNING name', [this.nodeId, this.ttl]);
    if (r.rows.length === this.mine.size) return;
    const renewed = new Set(r.rows.map((x) => x.name));
    for (const name of this.mine) {
      if (renewed.has(name)) continue;
      if (!(await this.claim(name))) {
        // Another node's agent took it while our heartbeats could not reach PostgreSQL.
        this.mine.delete(name);
        this.stats.lost++;
        this.onLost(name);
      }
    }
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.renew().catch((err: Error) => {
        this.stats.heartbeatFailures++;
        if (this.stats.heartbeatFailures % 10 === 1) console.error(`[leases] heartbeat of node ${this.nodeId} failed: ${err.message}`);
      });
    }, this.options.heartbeatMs ?? Math.max(100, Math.floor(this.options.ttlMs / 3)));
    this.timer.unref();
  }

  /** Stops the heartbeat; with `releaseAll`, gives every name back at once (a clean shutdown). */
  async close(releaseAll = true): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (releaseAll) await this.pool.query('DELETE FROM xray_leases WHERE node = $1', [this.nodeId]).catch(() => undefined);
    this.mine.clear();
  }
}
