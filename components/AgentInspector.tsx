'use client';
import { formatUsage } from '../lib/client/usageFormat';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { agentQuery } from '../lib/client/queries';
import { useXray } from './XrayProviders';

const ms = (v: number | null) => (v === null ? '—' : v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`);

/** Name, capabilities, state, load, calls in/out with latencies, recent errors and traces of one agent. */
export function AgentInspector({ agent }: { agent: string }) {
  const live = useXray((s) => s.overview.agents.get(agent));
  const q = useQuery(agentQuery(agent));
  return (
    <section className="panel inspector" aria-label={`inspector for ${agent}`} data-testid="inspector">
      <header className="panel-head">
        <h2>{agent}</h2>
        {live ? <span className={`state state-${live.status}`} data-testid="inspector-state">{live.status}</span> : null}
      </header>
      {live ? (
        <dl className="facts">
          <dt>capabilities</dt>
          <dd>{live.capabilities.length ? live.capabilities.join(', ') : '—'}</dd>
          <dt>load</dt>
          <dd>{live.load ? `${live.load.active} / ${live.load.max}` : '—'}</dd>
          <dt>calls in / out</dt>
          <dd>
            {live.callsIn} / {live.callsOut} ({live.inflight} in flight)
          </dd>
          <dt>tokens</dt>
          <dd>{live.tokens}</dd>
          <dt>errors</dt>
          <dd>{live.errors}</dd>
          {live.lastError ? (
            <>
              <dt>last error</dt>
              <dd className="error-text" data-testid="inspector-last-error">{live.lastError}</dd>
            </>
          ) : null}
        </dl>
      ) : (
        <p className="placeholder">This agent is not in the live overview.</p>
      )}
      {q.isPending ? <p className="muted small">Loading latencies and traces…</p> : null}
      {q.isError ? <p className="error-text small">Could not load details: {q.error.message}</p> : null}
      {q.data ? (
        <>
          <dl className="facts">
            <dt>served p50 / p95</dt>
            <dd>
              {ms(q.data.stats.served.p50)} / {ms(q.data.stats.served.p95)} ({q.data.stats.served.count})
            </dd>
            <dt>made p50 / p95</dt>
            <dd>
              {ms(q.data.stats.made.p50)} / {ms(q.data.stats.made.p95)} ({q.data.stats.made.count})
            </dd>
            {q.data.usage && (q.data.usage.input || q.data.usage.output) ? (
              <>
                <dt>usage ({q.data.usage.traces} traces)</dt>
                <dd data-testid="inspector-usage">{formatUsage(q.data.usage)}</dd>
              </>
            ) : null}
          </dl>
          {q.data.stats.recentErrors.length ? (
            <>
              <h3>Recent errors</h3>
              <ul className="compact">
                {q.data.stats.recentErrors.slice(0, 5).map((e) => (
                  <li key={e.seq}>
                    <span className="error-text">{e.message}</span>
                    {e.traceId ? (
                      <>
                        {' '}
                        <Link href={`/trace/${e.traceId}`}>trace</Link>
                      </>
                    ) : null}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <h3>Traces</h3>
          {q.data.traces.length === 0 ? <p className="muted small">None yet.</p> : null}
          <ul className="compact">
            {q.data.traces.slice(0, 8).map((t) => (
              <li key={t.trace_id}>
                <Link href={`/trace/${t.trace_id}`}>{t.trace_id.slice(0, 12)}…</Link> {t.events} events {t.errors ? <span className="error-text">· {t.errors} errors</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
