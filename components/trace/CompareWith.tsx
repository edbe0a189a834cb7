'use client';
/** "Compare with…": pick another trace (recent ones, or paste an id) and open /compare?a=…&b=…. */
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { tracesQuery } from '../../lib/client/queries';

const TRACE_ID = /^[0-9a-f]{32}$/i;

/** Lists other runs through the same entry agent first (the runs worth comparing), any recent trace otherwise. */
export function CompareWith({ traceId, agent }: { traceId: string; agent: string | null }) {
  const [sameAgent, setSameAgent] = useState(agent !== null);
  const [open, setOpen] = useState(false);
  const [other, setOther] = useState('');
  const router = useRouter();
  const recent = useQuery({ ...tracesQuery(sameAgent && agent ? { agent } : {}), enabled: open });
  const go = (b: string) => router.push(`/compare?a=${traceId}&b=${b.toLowerCase()}`);
  return (
    <div className="popover-anchor">
      <button type="button" onClick={() => setOpen((o) => !o)} aria-expanded={open} data-testid="compare-with">
        Compare with…
      </button>
      {open ? (
        <div className="popover" role="dialog" aria-label="Compare with another trace">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (TRACE_ID.test(other.trim())) go(other.trim());
            }}
          >
            <input autoFocus aria-label="Other trace id" placeholder="Paste a trace id, Enter" value={other} onChange={(e) => setOther(e.target.value)} />
          </form>
          {agent ? (
            <label className="inline muted">
              <input type="checkbox" checked={sameAgent} onChange={(e) => setSameAgent(e.target.checked)} /> only runs through <b>{agent}</b>
            </label>
          ) : null}
          {recent.isPending ? <p className="muted small">Loading recent traces…</p> : null}
          {recent.isError ? <p className="error-text small">Could not load traces: {recent.error.message}</p> : null}
          {recent.data ? (
            <ul className="popover-list">
              {recent.data.traces
                .filter((t) => t.trace_id !== traceId)
                .slice(0, 12)
                .map((t) => (
                  <li key={t.trace_id}>
                    <button type="button" className="linkish" onClick={() => go(t.trace_id)}>
                      <code>{t.trace_id.slice(0, 12)}…</code> <span className="muted">{t.agents.slice(0, 3).join(', ')}</span> {t.errors ? <span className="error-text">{t.errors} err</span> : null}
                    </button>
                  </li>
                ))}
              {recent.data.traces.length <= 1 ? <li className="muted small">No other traces yet.</li> : null}
            </ul>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
