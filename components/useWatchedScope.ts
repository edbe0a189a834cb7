'use client';
/**
 * Watches a live scope (an agent's or a trace's stream) while the component is mounted and
 * returns its stream state; unmounting or switching scopes unwatches it, so the server stops
 * sending what nobody shows.
 */
import { useEffect, useRef } from 'react';
import type { StreamState } from '../lib/client/streamState';
import { scopeKey, type Scope } from '../lib/protocol/dashboard';
import { useXray, useXrayStoreApi } from './XrayProviders';

/**
 * `start`: watch only once `ready` (a trace page waits for its first outline), continuing after
 * seq `after` (what the page already shows) — taken when the watch starts: a later `after` does
 * not restart it.
 */
export function useWatchedScope(scope: Scope, start: { ready: boolean; after?: number } = { ready: true }): StreamState | undefined {
  const store = useXrayStoreApi();
  const key = scopeKey(scope);
  const after = useRef(start.after);
  after.current = start.after;
  useEffect(() => {
    if (!start.ready) return;
    store.getState().watch(scope, after.current);
    return () => store.getState().unwatch(key);
    // The key names the scope completely: a new object for the same scope is no change.
  }, [store, key, start.ready]); // eslint-disable-line react-hooks/exhaustive-deps
  return useXray((s) => s.streams.get(key));
}
