/** React Query factory for `GET /api/swarm/calls`: calls per edge in a time window (edge hover, window replay). */
import { queryOptions } from '@tanstack/react-query';
import type { CallEdgeSummary } from '../graph/callWindow';
import { ApiError } from './queries';

export interface SwarmCallsResponse {
  since: number;
  until: number;
  truncated: boolean;
  edges: CallEdgeSummary[];
}

async function get(url: string): Promise<SwarmCallsResponse> {
  const res = await fetch(url, { credentials: 'same-origin' });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? 'internal', body?.error?.message ?? `HTTP ${res.status}`);
  return body as SwarmCallsResponse;
}

/** `since`/`until` are rounded by the caller so hovering does not refetch every millisecond. */
export const swarmCallsQuery = (p: { since: number; until?: number; from?: string; to?: string }) =>
  queryOptions({
    queryKey: ['swarm-calls', p],
    queryFn: () => {
      const q = new URLSearchParams();
      for (const [k, v] of new Map(Object.entries(p))) if (v !== undefined) q.set(k, String(v));
      return get(`/api/swarm/calls?${q}`);
    },
    staleTime: 10_000,
  });
