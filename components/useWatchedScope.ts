'use client';
/**
 * Watches a live scope (an agent's or a trace's stream) while the component is mounted and
 * returns its stream state; unmounting or switching scopes unwatches it, so the server stops
 * sending what nobody shows.
 */
import { useEffect } from 'react';
import type { StreamState } from '../lib/client/streamState';
import { scopeKey, type Scope } from '../lib/protocol/dashboard';
import { useXray, useXrayStoreApi } from './XrayProviders';

export function useWatchedScope(scope: Scope): StreamState | undefined {
  const store = useXrayStoreApi();
  const key = scopeKey(scope);
  useEffect(() => {
    store.getState().watch(scope);
    return () => store.getState().unwatch(key);
    // The key names the scope completely: a new object for the same scope is no change.
  }, [store, key]); // eslint-disable-line react-hooks/exhaustive-deps
  return useXray((s) => s.streams.get(key));
}
