'use client';
/**
 * Overview of every visible row for big traces: one pixel line per row (bars coloured by
 * status, the critical path brighter), drawn on a canvas once per change, and a viewport box
 * that follows scrolling. Click or drag to jump.
 */
import { useEffect, useRef } from 'react';
import type { TraceNode } from '../../lib/trace/buildTrace';
import type { NodeMap } from '../../lib/trace/nodeMap';

export function Minimap({ rows, nodes, start, span, end, critical, scrollTop, viewHeight, rowHeight, onScrollTo }: { rows: readonly string[]; nodes: NodeMap; start: number; span: number; end: number; critical: ReadonlySet<string>; scrollTop: number; viewHeight: number; rowHeight: number; onScrollTo: (top: number) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const w = c.clientWidth;
    const h = c.clientHeight;
    // Resizing the backing store reallocates it: only when the box really changed size.
    if (c.width !== w) c.width = w;
    if (c.height !== h) c.height = h;
    const ctx = c.getContext('2d')!;
    // Theme colours read once per draw, not once per row.
    const css = getComputedStyle(c);
    const read = (v: string, fallback: string) => css.getPropertyValue(v).trim() || fallback;
    const palette = { ok: read('--accent', '#58a6ff'), running: read('--warn', '#d29922'), bad: read('--err', '#f85149'), crit: read('--crit', '#ffa657') };
    const color = (s: TraceNode['status']) => (s === 'ok' ? palette.ok : s === 'running' ? palette.running : palette.bad);
    ctx.clearRect(0, 0, w, h);
    const per = h / Math.max(1, rows.length);
    for (let i = 0; i < rows.length; i++) {
      const n = nodes.get(rows[i])!;
      const x0 = ((n.start - start) / span) * w;
      const x1 = (((n.end ?? end) - start) / span) * w;
      ctx.globalAlpha = critical.has(n.id) ? 1 : 0.55;
      ctx.fillStyle = critical.has(n.id) ? palette.crit : color(n.status);
      ctx.fillRect(x0, i * per, Math.max(1, x1 - x0), Math.max(1, per));
    }
  }, [rows, nodes, start, span, end, critical]);
  const total = rows.length * rowHeight;
  const top = total ? (scrollTop / total) * 100 : 0;
  const height = total ? Math.min(100, (viewHeight / total) * 100) : 100;
  const jump = (clientY: number) => {
    const r = box.current!.getBoundingClientRect();
    onScrollTo(((clientY - r.top) / r.height) * total - viewHeight / 2);
  };
  return (
    <div
      className="wf-minimap"
      ref={box}
      data-testid="minimap"
      aria-label="minimap of the trace"
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        jump(e.clientY);
      }}
      onPointerMove={(e) => {
        if (e.buttons) jump(e.clientY);
      }}
    >
      <canvas ref={canvas} />
      <div className="wf-minimap-view" style={{ top: `${top}%`, height: `${height}%` }} />
    </div>
  );
}
