/**
 * Fair shares of a bounded resource (connections, SSE streams, calls in flight) per client
 * address. A global bound stays as the outer limit, but one address can never hold more than
 * `perAddress`, so while one peer hogs its share another address is still served. Counting
 * only: the caller acquires before it holds the resource and releases exactly once after.
 */
export type SlotRefusal = 'address' | 'total';

export class AddressSlots {
  private readonly held = new Map<string, number>();
  private total = 0;
  /** Refusals, for /metrics: how often an address hit its share, how often the global bound. */
  readonly refused = { address: 0, total: 0 };

  constructor(
    readonly perAddress: number,
    readonly maxTotal: number,
  ) {}

  get size(): number {
    return this.total;
  }

  /** Addresses currently holding at least one slot. */
  get addresses(): number {
    return this.held.size;
  }

  heldBy(address: string): number {
    return this.held.get(address) ?? 0;
  }

  /** Takes a slot for `address`, or says which bound refused it. */
  acquire(address: string): SlotRefusal | null {
    const mine = this.held.get(address) ?? 0;
    if (mine >= this.perAddress) {
      this.refused.address++;
      return 'address';
    }
    if (this.total >= this.maxTotal) {
      this.refused.total++;
      return 'total';
    }
    this.held.set(address, mine + 1);
    this.total++;
    return null;
  }

  release(address: string): void {
    const mine = this.held.get(address);
    if (!mine) return; // never acquired (or already released): releasing twice must not free another's slot
    if (mine === 1) this.held.delete(address);
    else this.held.set(address, mine - 1);
    this.total--;
  }
}
