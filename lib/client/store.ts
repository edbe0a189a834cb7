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
import { applyStreamDelta, applyStreamSnapshot, emptyStream, streamFrom, type StreamState } from './streamState';

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
  /** Watched scopes by subscription key (`agent:<name>`, `topic:<topic>`…: outside strings, so Maps, copied on write). */
  scopes: ReadonlyMap<string, Scope>;
  streams: ReadonlyMap<string, StreamState>;
  /** `after`: the view already holds the scope up to this seq; the stream continues from it (no snapshot). */
  watch(scope: Scope, after?: number): string;
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
    scopes: new Map<string, Scope>(watchOverview ? [['overview', { kind: 'overview' }]] : []),
    streams: new Map(),
    watch(scope, after) {
      const key = scopeKey(scope);
      if (get().scopes.has(key)) return key;
      // The stream state first, so the socket subscribes with `after` = its cursor.
      if (after !== undefined && after >= 0) set({ streams: new Map(get().streams).set(key, streamFrom(after)) });
      set({ scopes: new Map(get().scopes).set(key, scope) });
      return key;
    },
    unwatch(key) {
      const scopes = new Map(get().scopes);
      const streams = new Map(get().streams);
      scopes.delete(key);
      streams.delete(key);
      set({ scopes, streams });
    },
    onSnapshot(s) {
      if (s.kind === 'overview') set({ overview: applyOverviewSnapshot(get().overview, s) });
      else if (get().scopes.has(s.sub)) set({ streams: new Map(get().streams).set(s.sub, applyStreamSnapshot(get().streams.get(s.sub) ?? emptyStream, s)) });
    },
    onDelta(d) {
      if (d.kind === 'overview') {
        const r = applyOverviewDelta(get().overview, d);
        set({ overview: r.state });
        return !r.gap;
      }
      if (!get().scopes.has(d.sub)) return true; // unwatched meanwhile: ignore
      const r = applyStreamDelta(get().streams.get(d.sub) ?? emptyStream, d);
      set({ streams: new Map(get().streams).set(d.sub, r.state) });
      return !r.gap;
    },
    cursorOf(key) {
      return key === 'overview' ? get().overview.seq : (get().streams.get(key)?.seq ?? -1);
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
