'use client';
/** The methods called along one edge in the last 15 minutes, from the log (GET /api/swarm/calls). */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { swarmCallsQuery } from '../../lib/client/swarmCalls';

const WINDOW_MS = 15 * 60_000;

export function EdgeMethods({ from, to }: { from: string; to: string }) {
  // Rounded to 10 s so hovering back and forth reuses the cached answer.
  const [since] = useState(() => Math.floor((Date.now() - WINDOW_MS) / 10_000) * 10_000);
  const q = useQuery(swarmCallsQuery({ since, from, to }));
  if (q.isPending) return <div className="muted">methods: loading…</div>;
  if (q.isError) return <div className="error-text">methods: {q.error.message}</div>;
  const edge = q.data.edges[0];
  if (!edge) return <div className="muted">no finished calls in the last 15 min</div>;
  return (
    <ul className="edge-methods" data-testid="edge-methods">
      {edge.methods.slice(0, 6).map((m) => (
        <li key={m.method}>
          <code>{m.method}</code> × {m.calls}
          {m.errors ? <span className="error-text"> ({Math.round((m.errors / m.calls) * 100)}% failed)</span> : null}
        </li>
      ))}
      <li className="muted">p50 {edge.p50_ms ?? '—'} ms over 15 min</li>
    </ul>
  );
}
