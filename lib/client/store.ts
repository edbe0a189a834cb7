/**
 * The dashboard's zustand store, one per browser tab, created in the client provider.
 * Slices: connection (socket status), overview (the swarm), streams (full text of the
 * scopes being watched), selection. Snapshots and deltas go through pure functions;
 * a delta that leaves a gap returns false so the socket layer asks for a resync.
 */
import { createStore } from 'zustand/vanilla';
import { scopeKey, type Delta, type Scope, type Snapshot } from '../protocol/dashboard';
import type { AgentStatus } from '../model/swarmModel';
import { applyOverviewDelta, applyOverviewSnapshot, emptyOverview, type OverviewState } from './overviewState';
import { applyStreamDelta, applyStreamSnapshot, emptyStream, type StreamState } from './streamState';

export type ConnectionStatus = 'connecting' | 'live' | 'lost' | 'unauthorized';

export interface ConnectionSlice {
  status: ConnectionStatus;
  error: string | null;
  lostAt: number | null;
  resumedAt: number | null;
  setStatus(status: ConnectionStatus, error?: string | null): void;
}

export interface DataSlice {
  overview: OverviewState;
  /** Watched scopes by subscription key. */
  scopes: Record<string, Scope>;
  streams: Record<string, StreamState>;
  watch(scope: Scope): string;
  unwatch(key: string): void;
  onSnapshot(s: Snapshot): void;
  /** Returns false when the delta left a gap and the caller must ask for a resync. */
  onDelta(d: Delta): boolean;
  /** The last seq applied per subscription, for resuming after a reconnect. */
  cursorOf(key: string): number;
}

export interface SelectionSlice {
  selectedAgent: string | null;
  select(name: string | null): void;
  /** Graph view filters. */
  search: string;
  stateFilter: AgentStatus[];
  topicFilter: string | null;
  grouping: 'auto' | 'always' | 'never';
  setView(v: Partial<Pick<SelectionSlice, 'search' | 'stateFilter' | 'topicFilter' | 'grouping'>>): void;
}

export type XrayState = ConnectionSlice & DataSlice & SelectionSlice;

/** `watchOverview`: whether the swarm overview is watched from the start (not on a trace embed). */
export function createXrayStore(watchOverview = true) {
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
    scopes: (watchOverview ? { overview: { kind: 'overview' } } : {}) as Record<string, Scope>,
    streams: {},
    watch(scope) {
      const key = scopeKey(scope);
      if (!get().scopes[key]) set({ scopes: { ...get().scopes, [key]: scope } });
      return key;
    },
    unwatch(key) {
      const { [key]: _s, ...scopes } = get().scopes;
      const { [key]: _t, ...streams } = get().streams;
      set({ scopes, streams });
    },
    onSnapshot(s) {
      if (s.kind === 'overview') set({ overview: applyOverviewSnapshot(get().overview, s) });
      else if (get().scopes[s.sub]) set({ streams: { ...get().streams, [s.sub]: applyStreamSnapshot(get().streams[s.sub] ?? emptyStream, s) } });
    },
    onDelta(d) {
      if (d.kind === 'overview') {
        const r = applyOverviewDelta(get().overview, d);
        set({ overview: r.state });
        return !r.gap;
      }
      if (!get().scopes[d.sub]) return true; // unwatched meanwhile: ignore
      const r = applyStreamDelta(get().streams[d.sub] ?? emptyStream, d);
      set({ streams: { ...get().streams, [d.sub]: r.state } });
      return !r.gap;
    },
    cursorOf(key) {
      return key === 'overview' ? get().overview.seq : (get().streams[key]?.seq ?? -1);
    },

    selectedAgent: null,
    select(name) {
      set({ selectedAgent: name });
    },
    search: '',
    stateFilter: [],
    topicFilter: null,
    grouping: 'auto',
    setView(v) {
      set(v);
    },
  }));
}

export type XrayStore = ReturnType<typeof createXrayStore>;
