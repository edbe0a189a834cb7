'use client';
/**
 * Live, or the calls of the last 5/15/60 minutes replayed from the log: the graph's call
 * edges then come from GET /api/swarm/calls for the window, and a scrubber moves the window's
 * end back through the last hour.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { swarmCallsQuery } from '../../lib/client/swarmCalls';
import type { CallEdgeSummary } from '../../lib/graph/callWindow';

const WINDOWS = [5, 15, 60];
const HISTORY_MS = 60 * 60_000;
/** Window ends snap to this step so scrubbing reuses cached answers. */
const STEP_MS = 15_000;

export interface WindowEdges {
  label: string;
  edges: CallEdgeSummary[];
}

export function TimeWindow({ onChange }: { onChange: (w: WindowEdges | null) => void }) {
  const [minutes, setMinutes] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [back, setBack] = useState(0); // ms before now where the window ends
  useEffect(() => {
    if (minutes === null) return;
    const t = setInterval(() => setNow(Date.now()), STEP_MS);
    return () => clearInterval(t);
  }, [minutes]);
  // `now` only ticks while a window is shown: picking one starts from the real time, not from
  // when the page (or the last window) was opened.
  const choose = (m: number) => {
    setNow(Date.now());
    setMinutes(m);
  };
  const until = Math.floor((now - back) / STEP_MS) * STEP_MS;
  const since = until - (minutes ?? 0) * 60_000;
  const q = useQuery({ ...swarmCallsQuery({ since, until }), enabled: minutes !== null });
  const label = `${new Date(since).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}–${new Date(until).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
  useEffect(() => {
    if (minutes === null) onChange(null);
    else if (q.data) onChange({ label, edges: q.data.edges });
  }, [minutes, q.data, label, onChange]);
  const calls = q.data?.edges.reduce((s, e) => s + e.calls, 0) ?? 0;
  return (
    <div className="time-window" role="group" aria-label="Time window">
      <button type="button" aria-pressed={minutes === null} onClick={() => setMinutes(null)} data-testid="window-live">
        live
      </button>
      {WINDOWS.map((m) => (
        <button key={m} type="button" aria-pressed={minutes === m} onClick={() => choose(m)} data-testid={`window-${m}`}>
          {m} min
        </button>
      ))}
      {minutes !== null ? (
        <>
          <input
            type="range"
            aria-label="Window end (minutes ago)"
            data-testid="window-scrubber"
            min={0}
            max={HISTORY_MS}
            step={STEP_MS}
            value={HISTORY_MS - back}
            onChange={(e) => setBack(HISTORY_MS - Number(e.target.value))}
          />
          <span className="muted small" data-testid="window-label">
            {q.isPending ? 'loading…' : q.isError ? <span className="error-text">{q.error.message}</span> : `${label} · ${calls} calls${q.data?.truncated ? ' (older calls beyond the lookback)' : ''}`}
          </span>
        </>
      ) : null}
    </div>
  );
}
