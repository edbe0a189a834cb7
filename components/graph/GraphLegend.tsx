'use client';
/** What the swarm graph's colours and shapes mean; folds away to a button. */
import { useState } from 'react';

const STATES: [string, string][] = [
  ['idle', 'var(--node-idle)'],
  ['working', 'var(--warn)'],
  ['streaming', 'var(--stream)'],
  ['error', 'var(--err)'],
  ['gone', 'var(--border)'],
];

export function GraphLegend() {
  const [open, setOpen] = useState(true);
  if (!open)
    return (
      <button type="button" className="legend-toggle" onClick={() => setOpen(true)} aria-expanded={false}>
        Legend
      </button>
    );
  return (
    <div className="graph-legend" data-testid="graph-legend" aria-label="legend">
      <div className="legend-head">
        <b>Legend</b>
        <button type="button" className="ghost" aria-label="Hide legend" onClick={() => setOpen(false)}>
          ✕
        </button>
      </div>
      <ul>
        {STATES.map(([s, c]) => (
          <li key={s}>
            <i className="lg-dot" style={{ background: c }} /> {s}
          </li>
        ))}
        <li>
          <i className="lg-dot lg-group" /> group of agents (ring)
        </li>
        <li>
          <i className="lg-square" /> broadcast topic
        </li>
        <li>
          <i className="lg-dot lg-load" /> load ring (active / max tasks)
        </li>
        <li>
          <i className="lg-line" /> calls · <i className="lg-line err" /> with errors
        </li>
        <li>
          <i className="lg-flight" /> call in flight
        </li>
        <li className="muted">size = activity · hover an edge for its rate</li>
      </ul>
    </div>
  );
}
