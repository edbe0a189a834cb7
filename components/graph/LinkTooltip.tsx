'use client';
/** Hover card for an edge of the swarm graph: who calls whom, how often (calls/min over the last minute), error share, in flight. */
import { EdgeMethods } from './EdgeMethods';

export interface LinkHover {
  x: number;
  y: number;
  id: string;
  kind: 'call' | 'topic';
  source: string;
  target: string;
  inflight: number;
  /** Both ends are single agents (not groups): their methods can be looked up. */
  agents: boolean;
  perMinute: number;
  errorShare: number;
  calls: number;
  errors: number;
}

export function LinkTooltip({ hover: h }: { hover: LinkHover }) {
  return (
    <div className="tooltip" style={{ left: h.x + 14, top: h.y + 14 }} data-testid="edge-tooltip">
      {h.kind === 'topic' ? (
        <>
          <b>{h.target}</b> ← <b>{h.source}</b>
          <div>broadcast topic · {h.calls} message(s)</div>
        </>
      ) : (
        <>
          <b>{h.source}</b> → <b>{h.target}</b>
          <div>
            {h.calls.toLocaleString()} calls · {h.perMinute < 10 ? h.perMinute.toFixed(1) : Math.round(h.perMinute)}/min · <span className={h.errorShare > 0 ? 'error-text' : ''}>{Math.round(h.errorShare * 100)}% errors</span>
            {h.inflight ? ` · ${h.inflight} in flight` : ''}
          </div>
          {h.agents ? <EdgeMethods from={h.source} to={h.target} /> : null}
        </>
      )}
    </div>
  );
}
