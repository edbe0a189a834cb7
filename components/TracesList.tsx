'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { openingTrace, tracesQuery, type TraceFilters } from '../lib/client/queries';
import { CopyButton } from './CopyButton';
import { formatCost, formatTokens } from '../lib/client/usageFormat';

const RANGES = [
  { label: 'any time', ms: 0 },
  { label: 'last 15 min', ms: 15 * 60_000 },
  { label: 'last hour', ms: 3600_000 },
  { label: 'last 24 h', ms: 86_400_000 },
];

/** The app router's Link takes this (next/link's types are the pages router's, which lack it): a full route prefetch on hover. */
const FULL_PREFETCH_ON_HOVER = { unstable_dynamicOnHover: true } as object;

/** Recent traces with filters (agent, status, time range, text); a trace id typed in the search opens it. */
export function TracesList() {
  const router = useRouter();
  const [agent, setAgent] = useState('');
  const [status, setStatus] = useState<'' | 'ok' | 'error'>('');
  const [range, setRange] = useState(0);
  const [text, setText] = useState('');
  const [since] = useState(() => Date.now());
  useEffect(() => setAgent(new URLSearchParams(window.location.search).get('agent') ?? ''), []); // deep link: /traces?agent=NAME
  const filters: TraceFilters = { agent: agent.trim() || undefined, status: status || undefined, since: range ? since - range : undefined, q: text.trim() || undefined };
  const q = useQuery(tracesQuery(filters));
  // Two ticked traces open side by side in /compare; ticking a third drops the oldest.
  const [picked, setPicked] = useState<string[]>([]);
  const tick = (id: string, on: boolean) => setPicked((p) => (on ? [...p.filter((x) => x !== id), id].slice(-2) : p.filter((x) => x !== id)));
  return (
    <section className="traces-page">
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          const id = /^[0-9a-f]{32}$/i.exec(text.trim());
          if (id) router.push(`/trace/${id[0].toLowerCase()}`);
        }}
      >
        <input aria-label="Search traces" placeholder="Trace id or text" value={text} onChange={(e) => setText(e.target.value)} className="search" />
        <input aria-label="Agent" placeholder="agent" value={agent} onChange={(e) => setAgent(e.target.value)} />
        <select aria-label="Status" value={status} onChange={(e) => setStatus(e.target.value as '' | 'ok' | 'error')}>
          <option value="">any status</option>
          <option value="error">with errors</option>
          <option value="ok">ok</option>
        </select>
        <select aria-label="Time range" value={range} onChange={(e) => setRange(Number(e.target.value))}>
          {RANGES.map((r) => (
            <option key={r.ms} value={r.ms}>
              {r.label}
            </option>
          ))}
        </select>
        <span className="spacer" />
        <span className="muted small">{picked.length ? `${picked.length}/2 selected` : 'tick two traces to compare'}</span>
        <button type="button" data-testid="compare-selected" disabled={picked.length !== 2} onClick={() => router.push(`/compare?a=${picked[0]}&b=${picked[1]}`)}>
          Compare
        </button>
      </form>
      {q.isPending ? <p className="placeholder">Loading traces…</p> : null}
      {q.isError ? (
        <p className="placeholder error-text" role="alert">
          Could not load traces: {q.error.message}
        </p>
      ) : null}
      {q.data && q.data.traces.length === 0 ? <p className="placeholder">No traces match.</p> : null}
      {q.data && q.data.traces.length > 0 ? (
        <table className="agents" aria-label="traces">
          <thead>
            <tr>
              <th className="trace-select" aria-label="select" />
              <th>trace</th>
              <th>started</th>
              <th className="num">duration</th>
              <th className="num">events</th>
              <th>agents</th>
              <th className="num">errors</th>
              <th className="num">tokens</th>
              <th className="num">cost</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {q.data.traces.map((t) => (
              <tr key={t.trace_id} data-testid="trace-row">
                <td className="trace-select">
                  <input type="checkbox" aria-label={`Select ${t.trace_id} for comparison`} checked={picked.includes(t.trace_id)} onChange={(e) => tick(t.trace_id, e.target.checked)} />
                </td>
                <td>
                  {/* Hover, focus or press starts the trace's outline read and the route's full prefetch: opening a trace then waits for neither in turn. */}
                  <Link href={`/trace/${t.trace_id}`} {...FULL_PREFETCH_ON_HOVER} onPointerEnter={() => openingTrace(t.trace_id)} onFocus={() => openingTrace(t.trace_id)} onPointerDown={() => openingTrace(t.trace_id)}>
                    <code>{t.trace_id}</code>
                  </Link>
                </td>
                <td>{new Date(t.start_ts).toLocaleTimeString()}</td>
                <td className="num">{t.end_ts - t.start_ts} ms</td>
                <td className="num">{t.events}</td>
                <td className="text">{t.agents.join(', ')}</td>
                <td className={`num${t.errors ? ' error-text' : ''}`}>{t.errors}</td>
                <td className="num" data-testid="trace-row-tokens">{t.usage && t.usage.input + t.usage.output ? formatTokens(t.usage.input + t.usage.output) : '—'}</td>
                <td className="num">{t.usage ? formatCost(t.usage.cost) : '—'}</td>
                <td>
                  <CopyButton label="Copy link" text={() => `${location.origin}/trace/${t.trace_id}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
