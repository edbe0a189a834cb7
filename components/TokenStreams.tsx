'use client';
/**
 * Live token streams of the selected agent: one block per span, newest first, text appearing
 * as it is generated, each tagged with its Neural Trace ID (a link to the trace view).
 * Pause freezes what is shown (the data keeps arriving); follow keeps the newest in view.
 */
import Link from 'next/link';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { StreamState } from '../lib/client/streamState';
import { useWatchedScope } from './useWatchedScope';

const SHOWN_SPANS = 30;

export function TokenStreams({ agent }: { agent: string }) {
  const live = useWatchedScope({ kind: 'agent', name: agent });
  const [paused, setPaused] = useState<StreamState | null>(null);
  const [follow, setFollow] = useState(true);
  const shown = paused ?? live;
  const spans = useMemo(() => (shown ? [...shown.spans.values()].sort((a, b) => b.updatedSeq - a.updatedSeq).slice(0, SHOWN_SPANS) : []), [shown]);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = 0;
  }, [spans, follow]);

  return (
    <section className="panel streams" aria-label={`token streams of ${agent}`}>
      <header className="panel-head">
        <h2>Token stream</h2>
        <span className="muted">{shown ? `${shown.tokens} tokens` : ''}</span>
        <div className="spacer" />
        <button type="button" onClick={() => setPaused(paused ? null : (live ?? null))} aria-pressed={paused !== null}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <label className="inline">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> follow
        </label>
        <button type="button" disabled={!spans.length} onClick={() => void navigator.clipboard?.writeText(spans.map((s) => `[${s.traceId ?? 'no trace'}] ${s.text}`).join('\n\n'))}>
          Copy
        </button>
      </header>
      <div className="stream-list" ref={box} data-testid="token-stream">
        {!shown ? <p className="placeholder">Loading the stream…</p> : null}
        {shown && spans.length === 0 ? <p className="placeholder">No tokens from {agent} yet.</p> : null}
        {shown?.truncated ? <p className="muted small">Showing recent history; older text is in the traces.</p> : null}
        {spans.map((s) => (
          <article key={s.key} className="stream" data-testid="stream-span">
            <div className="stream-meta">
              {s.traceId ? (
                <Link href={`/trace/${s.traceId}`} className="trace-link" title="Open the reasoning path of this trace">
                  {s.traceId.slice(0, 8)}…{s.traceId.slice(-4)}
                </Link>
              ) : (
                <span className="muted">no trace</span>
              )}
              <span className="muted"> · {s.tokens} tokens</span>
            </div>
            <p className="stream-text">{s.text}</p>
          </article>
        ))}
      </div>
    </section>
  );
}
