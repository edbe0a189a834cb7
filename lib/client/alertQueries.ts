/** React Query options for the Alerts API: the bell's counts and the Alerts page. */
import { queryOptions } from '@tanstack/react-query';
import type { AlertsPage, AlertsSummary } from '../protocol/alerts';
import { ApiError } from './queries';

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { credentials: 'same-origin', ...init });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? 'internal', body?.error?.message ?? `HTTP ${res.status}`);
  return body as T;
}

export const alertsSummaryQuery = () =>
  queryOptions({
    queryKey: ['alerts', 'summary'],
    queryFn: () => call<AlertsSummary>('/api/alerts/summary'),
    refetchInterval: 3000,
  });

export const alertsPageQuery = () =>
  queryOptions({
    queryKey: ['alerts', 'page'],
    queryFn: () => call<AlertsPage>('/api/alerts'),
    refetchInterval: 2000,
  });

export function saveAlertRules(yaml: string): Promise<AlertsPage> {
  return call<AlertsPage>('/api/alerts/rules', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ yaml }) });
}
