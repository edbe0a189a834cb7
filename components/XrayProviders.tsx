'use client';
/** Client providers: one React Query client and one zustand store per tab, plus the live socket. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useContext, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { createXrayStore, type XrayState, type XrayStore } from '../lib/client/store';
import { useDashboardSocket } from './useDashboardSocket';

const StoreContext = createContext<XrayStore | null>(null);

export function useXrayStoreApi(): XrayStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useXrayStore must be used inside <XrayProviders>');
  return store;
}

export function useXray<T>(selector: (s: XrayState) => T): T {
  return useStore(useXrayStoreApi(), selector);
}

const EmbedContext = createContext<string | null>(null);

/** The embed token when rendered inside an iframe embed, else null. */
export function useEmbedToken(): string | null {
  return useContext(EmbedContext);
}

function SocketBridge({ embedToken }: { embedToken: string | null }) {
  useDashboardSocket(useXrayStoreApi(), embedToken);
  return null;
}

export function XrayProviders({ children, embedToken = null, overview = true }: { children: ReactNode; embedToken?: string | null; overview?: boolean }) {
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 2000, retry: 1 } } }));
  const [store] = useState(() => createXrayStore(overview));
  return (
    <QueryClientProvider client={queryClient}>
      <EmbedContext.Provider value={embedToken}>
        <StoreContext.Provider value={store}>
          <SocketBridge embedToken={embedToken} />
          {children}
        </StoreContext.Provider>
      </EmbedContext.Provider>
    </QueryClientProvider>
  );
}
