'use client';
/**
 * The trace as agents and the calls between them: a layered SVG graph (callers left of
 * callees), each edge labelled with call count, methods and median latency, failed calls in
 * red, the flawed reasoning path traced over it. Clicking an edge (or an agent) picks its
 * spans in the waterfall. During replay edges light up as their calls run.
 */
import { useMemo } from 'react';
import { buildAgentGraph, edgePhaseAt, type AgentGraphEdge, type AgentGraphNode } from '../../lib/trace/agentGraph';
import type { TraceTree } from '../../lib/trace/buildTrace';
import { formatDuration } from '../../lib/trace/timeAxis';

const COL = 310;
const ROWH = 96;
const W = 156;
const H = 46;
const PAD = 40;

export function AgentGraphView({ tree, playhead, picked, onPickEdge, onPickAgent }: { tree: TraceTree; playhead: number | null; picked: string | null; onPickEdge: (e: AgentGraphEdge) => void; onPickAgent: (agent: string) => void }) {
  const g = useMemo(() => buildAgentGraph(tree), [tree]);
  if (!g.nodes.length) return <p className="placeholder">No agents in this trace yet.</p>;
  const minY = Math.min(...g.nodes.map((n) => n.y));
  const pos = new Map(g.nodes.map((n) => [n.id, { x: PAD + n.x * COL, y: PAD + (n.y - minY) * ROWH }]));
  const width = PAD * 2 + (g.layers - 1) * COL + W;
  const height = PAD * 2 + (g.rows - 1) * ROWH + H + 20;
  const active = (n: AgentGraphNode) => playhead === null || g.edges.some((e) => (e.target === n.id || e.source === n.id) && edgePhaseAt(e, playhead) !== 'future') || g.edges.every((e) => e.target !== n.id);
  return (
    <div className="agent-graph" data-testid="agent-graph">
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="xMidYMid meet" role="img" aria-label={`Agents of this trace: ${g.nodes.length} agents, ${g.edges.length} call paths`}>
        <defs>
          <marker id="ag-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" className="ag-arrow" />
          </marker>
          <marker id="ag-arrow-err" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" className="ag-arrow-err" />
          </marker>
        </defs>
        {g.edges.map((e) => {
          const a = pos.get(e.source)!;
          const b = pos.get(e.target)!;
          const d = edgePath(a, b, e.source === e.target);
          const phase = edgePhaseAt(e, playhead);
          const mid = midpoint(a, b, e.source === e.target);
          const calls = playhead === null ? e.calls.length : e.calls.filter((c) => c.start <= playhead).length;
          return (
            <g
              key={e.id}
              className={`ag-edge${e.failed ? ' failed' : ''}${e.onFailurePath ? ' flawed' : ''} phase-${phase}${picked === e.id ? ' picked' : ''}${e.kind === 'nested' ? ' nested' : ''}`}
              data-testid="agent-edge"
              data-edge={e.id}
              data-failed={e.failed > 0}
              data-flawed={e.onFailurePath}
              data-phase={phase}
              onClick={() => onPickEdge(e)}
              role="button"
              tabIndex={0}
              aria-label={`${e.source} to ${e.target}: ${e.calls.length} calls, ${e.failed} failed`}
              onKeyDown={(k) => {
                if (k.key === 'Enter' || k.key === ' ') onPickEdge(e);
              }}
            >
              <title>{`${e.source} → ${e.target}\n${e.methods.join(', ')}\n${e.calls.length} call(s), ${e.failed} failed\np50 ${formatDuration(e.p50Ms)}, max ${formatDuration(e.maxMs)}`}</title>
              <path d={d} className="ag-hit" />
              {e.onFailurePath ? <path d={d} className="ag-flaw" /> : null}
              <path d={d} className="ag-line" markerEnd={e.failed ? 'url(#ag-arrow-err)' : 'url(#ag-arrow)'} />
              <text x={mid.x} y={mid.y - 8} className="ag-edge-label" textAnchor="middle">
                {calls}× {e.methods.slice(0, 2).join(', ')}
                {e.methods.length > 2 ? '…' : ''}
              </text>
              <text x={mid.x} y={mid.y + 16} className="ag-edge-sub" textAnchor="middle">
                p50 {formatDuration(e.p50Ms)}
                {e.failed ? ` · ${e.failed} failed` : ''}
              </text>
            </g>
          );
        })}
        {g.nodes.map((n) => {
          const p = pos.get(n.id)!;
          return (
            <g key={n.id} className={`ag-node${n.errors ? ' has-errors' : ''}${n.onFailurePath ? ' flawed' : ''}${active(n) ? '' : ' dormant'}`} data-testid="agent-node" data-agent={n.id} transform={`translate(${p.x},${p.y})`} onClick={() => onPickAgent(n.id)}>
              <title>{`${n.id}: ${n.work} span(s), ${n.tokens} tokens, ${n.errors} failed`}</title>
              <rect width={W} height={H} rx={10} />
              <text x={12} y={19} className="ag-name">
                {n.id.length > 20 ? `${n.id.slice(0, 19)}…` : n.id}
              </text>
              <text x={12} y={35} className="ag-sub">
                {n.work} span{n.work === 1 ? '' : 's'} · {n.tokens} tok{n.errors ? ` · ${n.errors} err` : ''}
              </text>
            </g>
          );
        })}
      </svg>
      <div className="ag-legend small muted" aria-label="legend">
        <span>
          <i className="lg-line" /> calls (count · methods · p50)
        </span>
        <span>
          <i className="lg-line err" /> failed calls
        </span>
        <span>
          <i className="lg-line flaw" /> flawed reasoning path
        </span>
        <span>
          <i className="lg-line nested" /> span nesting across agents
        </span>
        <span>Click an edge or agent to pick its spans in the waterfall.</span>
      </div>
    </div>
  );
}

type P = { x: number; y: number };

function edgePath(a: P, b: P, self: boolean): string {
  if (self) {
    const x = a.x + W / 2;
    return `M${x - 20},${a.y} C${x - 40},${a.y - 50} ${x + 40},${a.y - 50} ${x + 20},${a.y}`;
  }
  if (b.x > a.x) {
    const x1 = a.x + W;
    const y1 = a.y + H / 2;
    const x2 = b.x;
    const y2 = b.y + H / 2;
    const c = (x2 - x1) / 2;
    return `M${x1},${y1} C${x1 + c},${y1} ${x2 - c},${y2} ${x2},${y2}`;
  }
  // A call back to an earlier layer (or within one): arc underneath, bottom to bottom.
  const x1 = a.x + W / 2;
  const x2 = b.x + W / 2;
  const y = Math.max(a.y, b.y) + H;
  return `M${x1},${a.y + H} C${x1},${y + 60} ${x2},${y + 60} ${x2},${b.y + H}`;
}

function midpoint(a: P, b: P, self: boolean): P {
  if (self) return { x: a.x + W / 2, y: a.y - 40 };
  if (b.x > a.x) return { x: (a.x + W + b.x) / 2, y: (a.y + b.y) / 2 + H / 2 };
  return { x: (a.x + b.x) / 2 + W / 2, y: Math.max(a.y, b.y) + H + 45 };
}
