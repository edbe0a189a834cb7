'use client';
/**
 * The waterfall: one row per node in causal depth-first order, a bar on the trace's time
 * axis. Virtualized (only rows in view are in the DOM), so 1,000+ spans scroll smoothly.
 * During replay, bars end at the playhead and nodes not yet started are hidden.
 */
import { useRef, useState, type UIEvent } from 'react';
import type { TraceTree } from '../../lib/trace/buildTrace';

const ROW = 26;
const OVERSCAN = 12;

export function Waterfall({ tree, selected, onSelect, playhead }: { tree: TraceTree; selected: string | null; onSelect: (id: string) => void; playhead: number | null }) {
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const box = useRef<HTMLDivElement>(null);
  const total = tree.order.length;
  const span = Math.max(1, tree.end - tree.start);
  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min(total, Math.ceil((scrollTop + height) / ROW) + OVERSCAN);
  const onScroll = (e: UIEvent<HTMLDivElement>) => {
    setScrollTop(e.currentTarget.scrollTop);
    setHeight(e.currentTarget.clientHeight);
  };
  const rows = [];
  for (let i = first; i < last; i++) {
    const n = tree.nodes[tree.order[i]];
    const end = n.end ?? tree.end;
    const hidden = playhead !== null && n.start > playhead;
    const shownEnd = playhead !== null ? Math.min(end, playhead) : end;
    const left = ((n.start - tree.start) / span) * 100;
    const width = Math.max(0.4, ((shownEnd - n.start) / span) * 100);
    rows.push(
      <div
        key={n.id}
        role="row"
        aria-selected={selected === n.id}
        data-testid="waterfall-row"
        data-node={n.id}
        data-status={n.status}
        data-failure-path={n.onFailurePath}
        className={`wf-row${selected === n.id ? ' selected' : ''}${n.onFailurePath ? ' failing' : ''}${hidden ? ' future' : ''}`}
        style={{ top: i * ROW }}
        onClick={() => onSelect(n.id)}
      >
        <div className="wf-label" style={{ paddingLeft: 8 + n.depth * 14 }} title={`${n.caller ? `${n.caller} → ` : ''}${n.agent} · ${n.name}`}>
          <span className={`dot dot-${n.status}`} aria-hidden />
          {n.caller ? <span className="muted">{n.caller} → </span> : null}
          <b>{n.agent}</b> <span className="muted">· {n.name}</span>
          {n.tokens ? <span className="muted"> · {n.tokens} tok</span> : null}
        </div>
        <div className="wf-track">{hidden ? null : <div className={`wf-bar bar-${n.status}`} style={{ left: `${left}%`, width: `${width}%` }} />}</div>
      </div>,
    );
  }
  return (
    <div className="waterfall" role="grid" aria-rowcount={total} aria-label="trace waterfall" ref={box} onScroll={onScroll} data-testid="waterfall">
      <div style={{ height: total * ROW, position: 'relative' }}>{rows}</div>
    </div>
  );
}
