'use client';
/**
 * Connects to the `/dashboard` namespace and keeps the store's watched scopes subscribed.
 * On every (re)connect each scope is subscribed with `after` = the last seq applied, so the
 * server resumes the stream without loss or duplication; a delta that leaves a seq gap
 * triggers a resync (a fresh snapshot), so the view never silently misses an event.
 */
import { useEffect } from 'react';
import { io, type Socket } from 'socket.io-client';
import { DASHBOARD_NAMESPACE, type ClientToServerEvents, type Scope, type ServerToClientEvents } from '../lib/protocol/dashboard';
import type { XrayStore } from '../lib/client/store';

type DashboardClient = Socket<ServerToClientEvents, ClientToServerEvents>;

function subscribe(socket: DashboardClient, store: XrayStore, key: string, scope: Scope): void {
  const after = store.getState().cursorOf(key);
  socket.emit('subscribe', after >= 0 ? { scope, after } : { scope }, (r) => {
    if (!r.ok) store.getState().setStatus(store.getState().status, `${r.error.code}: ${r.error.message}`);
  });
}

export function useDashboardSocket(store: XrayStore, embedToken: string | null = null): void {
  useEffect(() => {
    const socket: DashboardClient = io(DASHBOARD_NAMESPACE, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      ...(embedToken ? { auth: { embed: embedToken } } : {}),
    });
    (window as unknown as { __xraySocket?: DashboardClient }).__xraySocket = socket; // for e2e tests and debugging
    const s = store.getState();
    socket.on('connect', () => {
      s.setStatus('live');
      for (const [key, scope] of store.getState().scopes) subscribe(socket, store, key, scope);
    });
    // A server-side disconnect after logout (or expiry) is final: say so instead of "reconnecting".
    socket.on('xray:error', (e) => {
      if (e.code === 'unauthorized') s.setStatus('unauthorized', e.message);
    });
    socket.on('disconnect', () => {
      if (store.getState().status !== 'unauthorized') s.setStatus('lost');
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string; message?: string } }) => {
      if (err.data?.code === 'unauthorized') s.setStatus('unauthorized', err.data.message ?? 'unauthorized');
      else s.setStatus('lost', err.message);
    });
    socket.on('snapshot', (snap) => store.getState().onSnapshot(snap));
    socket.on('delta', (delta) => {
      if (!store.getState().onDelta(delta)) socket.emit('resync', delta.sub);
    });
    // Scopes watched or unwatched later (selecting an agent, opening a trace).
    const unsubscribe = store.subscribe((state, prev) => {
      if (state.scopes === prev.scopes || !socket.connected) return;
      for (const [key, scope] of state.scopes) if (!prev.scopes.has(key)) subscribe(socket, store, key, scope);
      for (const key of prev.scopes.keys()) if (!state.scopes.has(key)) socket.emit('unsubscribe', key);
    });
    return () => {
      unsubscribe();
      socket.disconnect();
    };
  }, [store, embedToken]);
}
