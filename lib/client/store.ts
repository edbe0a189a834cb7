/**
 * The dashboard's zustand store, one per browser tab, created in the client provider.
 * Slices: connection (socket status, proof of no loss) and overview (the swarm).
 */
import { createStore } from 'zustand/vanilla';
import type { OverviewDelta, OverviewSnapshot } from '../protocol/dashboard';
import { applyDelta, applySnapshot, emptyOverview, type OverviewState } from './overviewState';

export type ConnectionStatus = 'connecting' | 'live' | 'lost' | 'unauthorized';

export interface ConnectionSlice {
  status: ConnectionStatus;
  error: string | null;
  /** When the connection was last lost (for the banner), and when it came back. */
  lostAt: number | null;
  resumedAt: number | null;
  setStatus(status: ConnectionStatus, error?: string | null): void;
}

export interface OverviewSlice {
  overview: OverviewState;
  onSnapshot(s: OverviewSnapshot): void;
  /** Returns false when the delta left a gap and the caller must ask for a resync. */
  onDelta(d: OverviewDelta): boolean;
}

export type XrayState = ConnectionSlice & OverviewSlice;

export function createXrayStore() {
  return createStore<XrayState>()((set, get) => ({
    status: 'connecting',
    error: null,
    lostAt: null,
    resumedAt: null,
    setStatus(status, error = null) {
      const prev = get().status;
      const now = Date.now();
      set({
        status,
        error,
        ...(status === 'lost' && prev !== 'lost' ? { lostAt: now } : {}),
        ...(status === 'live' && prev === 'lost' ? { resumedAt: now } : {}),
      });
    },
    overview: emptyOverview,
    onSnapshot(s) {
      set({ overview: applySnapshot(get().overview, s) });
    },
    onDelta(d) {
      const r = applyDelta(get().overview, d);
      set({ overview: r.state });
      return !r.gap;
    },
  }));
}

export type XrayStore = ReturnType<typeof createXrayStore>;
