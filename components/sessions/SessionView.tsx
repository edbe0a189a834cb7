'use client';
/**
 * One session: its traces on a shared time axis (each bar a turn of the conversation, linked
 * to its trace), and its token usage and cost by agent and model.
 */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { ApiError, sessionQuery } from '../../lib/client/queries';
import { formatCost, formatTokens, formatUsage } from '../../lib/client/usageFormat';
import { CopyButton } from '../CopyButton';
import { sessionHref } from './SessionsList';

const stateClass = (s: string) => (s === 'ok' ? 'idle' : s === 'running' ? 'working' : 'error');

export function SessionView({ sessionId }: { sessionId: string }) {
  const q = useQuery(sessionQuery(sessionId));
  if (q.isPending) return <p className="placeholder">Loading session {sessionId}…</p>;
  if (q.isError) {
    const missing = q.error instanceof ApiError && q.error.status === 404;
    return (
      <div className="placeholder" role="alert" data-testid="session-error">
        {missing ? <p>No session “{sessionId}” recorded yet.</p> : <p>Could not load the session: {q.error.message}</p>}
        <p className="small">
          <Link href="/sessions">All sessions</Link>
        </p>
      </div>
    );
  }
  const s = q.data;
  const start = s.first_ts;
  const span = Math.max(1, s.last_ts - start);
  return (
    <section className="session" aria-label="session">
      <header className="trace-head">
        <h1 className="trace-id">
          <span className="muted">session</span> <code data-testid="session-id">{s.session_id}</code>
        </h1>
        <span className="muted small" data-testid="session-summary">
          {s.traces.length} traces · {s.agents.length} agents · {Math.round(span / 1000)} s
        </span>
        <div className="spacer" />
        <CopyButton label="Copy link" text={() => `${location.origin}${sessionHref(s.session_id)}`} />
      </header>
      <p className="small" data-testid="session-usage">
        {formatUsage(s.usage)}
      </p>
      {s.omitted ? <p className="muted small">{s.omitted} older traces not shown.</p> : null}
      {s.traces.length === 0 ? <p className="placeholder">This session has no traces left in the log.</p> : null}
      <ol className="session-timeline" aria-label="session timeline">
        {s.traces.map((t) => {
          const left = ((t.start - start) / span) * 100;
          const width = Math.max(0.5, ((t.end - t.start) / span) * 100);
          return (
            <li key={t.trace_id} className="session-turn" data-testid="session-trace">
              <Link href={`/trace/${t.trace_id}`} className="session-turn-label">
                <span className="muted small">{new Date(t.start).toLocaleTimeString()}</span> {t.name || t.trace_id.slice(0, 12)}
              </Link>
              <span className="session-track">
                <span className={`session-bar state-${stateClass(t.status)}`} style={{ left: `${left}%`, width: `${Math.min(width, 100 - left)}%` }} title={`${Math.round(t.end - t.start)} ms`} />
              </span>
              <span className="muted small">
                {t.agents.join(', ')} · {formatTokens(t.usage.input + t.usage.output)} tok · {formatCost(t.usage.cost)}
              </span>
            </li>
          );
        })}
      </ol>
      {s.byAgent.length || s.byModel.length ? (
        <div className="session-usage-tables">
          <UsageTable title="By agent" rows={s.byAgent.map((r) => ({ key: r.agent, ...r }))} />
          <UsageTable title="By model" rows={s.byModel.map((r) => ({ key: r.model, ...r }))} />
        </div>
      ) : null}
    </section>
  );
}

function UsageTable({ title, rows }: { title: string; rows: { key: string; input: number; output: number; cacheRead: number; cost: number | null }[] }) {
  return (
    <table className="agents" aria-label={title.toLowerCase()}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th />
          <th className="num">in</th>
          <th className="num">out</th>
          <th className="num">cached</th>
          <th className="num">cost</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <td>{r.key}</td>
            <td className="num">{formatTokens(r.input)}</td>
            <td className="num">{formatTokens(r.output)}</td>
            <td className="num">{formatTokens(r.cacheRead)}</td>
            <td className="num">{formatCost(r.cost)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
