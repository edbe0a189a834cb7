/** React Query `queryOptions` factories, one per REST resource. Server data stays here, never mirrored into zustand. */
import { queryOptions } from '@tanstack/react-query';
import { earlyFetches, readJson } from './earlyFetch';
import type { AgentState } from '../model/swarmModel';
import type { AgentStats } from '../model/agentStats';
import { traceFromJson, type TraceTree } from '../trace/buildTrace';
import type { HealthResponse, TraceSummary } from '../protocol/api';
import type { TraceSearchResponse, TraceTextResponse } from '../protocol/traceText';
import type { SessionSummary } from '../sessions/sessionIndex';
import type { SessionDetail } from '../sessions/sessionRollup';
import type { UsageTotals } from '../trace/usageRollup';

export type { TraceSummary } from '../protocol/api';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(url: string, embedToken?: string | null): Promise<T> {
  // Embeds have no session: their scoped token rides along as a header.
  // A read a link started early (earlyFetch.ts) answers it when fresh; embeds never start one.
  const early = embedToken ? undefined : earlyFetches.take(url);
  const res = early ? await early : await readJson(await fetch(url, { credentials: 'same-origin', headers: embedToken ? { 'x-xray-embed': embedToken } : {} }));
  const body = res.body as { error?: { code?: string; message?: string } } | null;
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? 'internal', body?.error?.message ?? `HTTP ${res.status}`);
  return body as T;
}

export const agentQuery = (name: string) =>
  queryOptions({
    queryKey: ['agent', name],
    queryFn: () => getJson<{ agent: AgentState; stats: AgentStats; traces: TraceSummary[]; usage?: UsageTotals & { traces: number } }>(`/api/agents/${encodeURIComponent(name)}`),
    refetchInterval: 3000,
  });

export interface TraceFilters {
  agent?: string;
  status?: 'ok' | 'error';
  since?: number;
  until?: number;
  q?: string;
}

export const tracesQuery = (filters: TraceFilters) =>
  queryOptions({
    queryKey: ['traces', filters],
    queryFn: () => {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== '') p.set(k, String(v));
      return getJson<{ traces: TraceSummary[]; next_before: number | null }>(`/api/traces?${p}`);
    },
    refetchInterval: 5000,
  });

export const traceQuery = (traceId: string, embedToken?: string | null) =>
  queryOptions({
    queryKey: ['trace', traceId],
    queryFn: async () => traceFromJson(await getJson<TraceTree>(`/api/traces/${traceId}`, embedToken)),
    // Structural sharing would merge a refetched tree into plain `{}` copies: a `__proto__`
    // attribute key would be swallowed and the null-prototype dictionaries lost. A fresh tree instead.
    structuralSharing: false,
    retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
  });

/** The trace page's tree: the reconstructed trace without token text (nodes carry `textChars`). */
const outlineUrl = (traceId: string) => `/api/traces/${traceId}/outline`;

export const traceOutlineQuery = (traceId: string, embedToken?: string | null) => {
  /** When the early read that became the initial outline started (react-query asks right after initialData). */
  let earlyAt: number | undefined;
  return queryOptions({
    queryKey: ['trace-outline', traceId],
    queryFn: async () => traceFromJson(await getJson<TraceTree>(outlineUrl(traceId), embedToken)),
    structuralSharing: false, // as traceQuery: keep the null-prototype dictionaries
    // A link's early read that has already arrived: the page's first render shows the trace
    // (dated when the read started, so the usual staleness applies from then).
    initialData: () => {
      const early = embedToken ? undefined : earlyFetches.takeSettled(outlineUrl(traceId));
      earlyAt = early?.at;
      return early ? traceFromJson(early.body as TraceTree) : undefined;
    },
    initialDataUpdatedAt: () => earlyAt,
    retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
  });
};

/** A link to a trace is about to be followed (hover, focus, press): its outline read starts now, beside the route change. */
export function openingTrace(traceId: string): void {
  earlyFetches.start(outlineUrl(traceId));
}

/** One node's text as of a seq (the page's live-stream origin): fixed once loaded, the stream adds what follows. */
export const traceTextQuery = (traceId: string, nodeId: string, asOf: number, embedToken?: string | null) =>
  queryOptions({
    queryKey: ['trace-text', traceId, nodeId, asOf],
    queryFn: async () => (await getJson<TraceTextResponse>(`/api/traces/${traceId}/text?id=${encodeURIComponent(nodeId)}&as_of=${asOf}`, embedToken)).texts[0],
    staleTime: Infinity,
    retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
  });

/** Nodes whose text (as of the page's stream origin) contains `q`. */
export const traceSearchQuery = (traceId: string, q: string, asOf: number, embedToken?: string | null) =>
  queryOptions({
    queryKey: ['trace-search', traceId, q, asOf],
    queryFn: () => getJson<TraceSearchResponse>(`/api/traces/${traceId}/search?q=${encodeURIComponent(q)}&as_of=${asOf}`, embedToken),
    staleTime: Infinity,
    retry: false,
  });

/** Server health, polled for the storage banner (the log not writable). */
export const healthQuery = () =>
  queryOptions({
    queryKey: ['health'],
    queryFn: () => getJson<HealthResponse>('/api/health'),
    refetchInterval: 5000,
    retry: false,
  });

export const timelineQuery = (traceId: string, embedToken?: string | null) =>
  queryOptions({
    queryKey: ['timeline', traceId],
    queryFn: () => getJson<{ tokens: [string, number, number][] }>(`/api/traces/${traceId}/timeline`, embedToken),
    staleTime: 1000,
  });

export const sessionsQuery = (q?: string) =>
  queryOptions({
    queryKey: ['sessions', q ?? ''],
    queryFn: () => getJson<{ sessions: SessionSummary[]; next_before: number | null }>(`/api/sessions${q ? `?q=${encodeURIComponent(q)}` : ''}`),
    refetchInterval: 5000,
  });

export const sessionQuery = (sessionId: string) =>
  queryOptions({
    queryKey: ['session', sessionId],
    queryFn: () => getJson<SessionDetail>(`/api/sessions/${encodeURIComponent(sessionId)}`),
    refetchInterval: 5000,
    retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
  });

export async function createEmbedToken(scope: string, ttlSeconds: number): Promise<{ token: string; url: string; iframe: string; expires_at: number }> {
  const res = await fetch('/api/embed-tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scope, ttl_s: ttlSeconds }) });
  const body = await res.json();
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? 'internal', body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}

export type GateSummary = import('../protocol/spans').GateInfo & { stats: import('../protocol/spans').GateStats };

/** Span query with a selector (admin API); errors carry the selector position. */
export const spansQuery = (selector: string, limit = 100) =>
  queryOptions({
    queryKey: ['spans', selector, limit],
    queryFn: () => getJson<import('../protocol/spans').SpanQueryResult>(`/api/spans?${new URLSearchParams({ q: selector, limit: String(limit) })}`),
    enabled: selector.trim().length > 0,
    retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
  });

export const gatesQuery = () =>
  queryOptions({
    queryKey: ['gates'],
    queryFn: () => getJson<{ gates: GateSummary[]; error: string | null; file: string | null }>('/api/gates'),
    refetchInterval: 2000,
  });

export const gateChecksQuery = (gate: string | null, limit = 200) =>
  queryOptions({
    queryKey: ['gate-checks', gate, limit],
    queryFn: () => getJson<{ checks: import('../protocol/spans').GateCheckRecord[] }>(`/api/gates/checks?${new URLSearchParams({ limit: String(limit), ...(gate ? { gate } : {}) })}`),
    refetchInterval: 2000,
  });
