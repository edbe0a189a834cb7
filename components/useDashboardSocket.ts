'use client';
/**
 * Connects to the `/dashboard` namespace and feeds the store. A delta that leaves a seq gap
 * triggers a resync (a fresh snapshot), so the view never silently misses an event.
 */
import { useEffect } from 'react';
import { io, type Socket } from 'socket.io-client';
import { DASHBOARD_NAMESPACE, type ClientToServerEvents, type ServerToClientEvents } from '../lib/protocol/dashboard';
import type { XrayStore } from '../lib/client/store';

export function useDashboardSocket(store: XrayStore): void {
  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(DASHBOARD_NAMESPACE, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    const s = store.getState();
    socket.on('connect', () => s.setStatus('live'));
    socket.on('disconnect', () => s.setStatus('lost'));
    socket.on('connect_error', (err: Error & { data?: { code?: string; message?: string } }) => {
      if (err.data?.code === 'unauthorized') s.setStatus('unauthorized', err.data.message ?? 'unauthorized');
      else s.setStatus('lost', err.message);
    });
    socket.on('snapshot', (snap) => store.getState().onSnapshot(snap));
    socket.on('delta', (delta) => {
      if (!store.getState().onDelta(delta)) socket.emit('resync');
    });
    return () => {
      socket.disconnect();
    };
  }, [store]);
}
