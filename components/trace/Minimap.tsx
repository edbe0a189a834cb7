'use client';
/**
 * Overview of every visible row for big traces: one pixel line per row (bars coloured by
 * status, the critical path brighter), drawn on a canvas once per change, and a viewport box
 * that follows scrolling. Click or drag to jump.
 */
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { TraceNode } from '../../lib/trace/buildTrace';
import type { NodeMap } from '../../lib/trace/nodeMap';

const DRAW_EVERY_MS = 100;

interface Palette {
  ok: string;
  running: string;
  bad: string;
  crit: string;
}

/** The theme's colours, read once and again only when the theme changes (not on every draw: reading computed style forces a style pass). */
function usePalette(el: RefObject<HTMLElement | null>): Palette | null {
  const [palette, setPalette] = useState<Palette | null>(null);
  useEffect(() => {
    const read = () => {
      if (!el.current) return;
      const css = getComputedStyle(el.current);
      const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
      setPalette({ ok: v('--accent', '#58a6ff'), running: v('--warn', '#d29922'), bad: v('--err', '#f85149'), crit: v('--crit', '#ffa657') });
    };
    read();
    const mo = new MutationObserver(read);
    mo.observe(document.documentElement, { attributes: true });
    return () => mo.disconnect();
  }, [el]);
  return palette;
}

export function Minimap({ rows, nodes, start, span, end, critical, scrollTop, viewHeight, rowHeight, onScrollTo }: { rows: readonly string[]; nodes: NodeMap; start: number; span: number; end: number; critical: ReadonlySet<string>; scrollTop: number; viewHeight: number; rowHeight: number; onScrollTo: (top: number) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const palette = usePalette(canvas);
  // The canvas size from a ResizeObserver: reading clientWidth in the draw would force a layout on every fold.
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const ro = new ResizeObserver(([e]) => setSize({ w: Math.round(e.contentRect.width), h: Math.round(e.contentRect.height) }));
    ro.observe(c);
    return () => ro.disconnect();
  }, []);
  // Drawn at most every DRAW_EVERY_MS (the last change always drawn): a fold on every frame
  // redraws the overview a few times a second, not 60.
  const lastDraw = useRef(0);
  const [due, setDue] = useState(0);
  useEffect(() => {
    const wait = lastDraw.current + DRAW_EVERY_MS - performance.now();
    if (wait <= 0) return;
    const t = setTimeout(() => setDue((d) => d + 1), wait);
    return () => clearTimeout(t);
  }, [rows, nodes, start, span, end, critical, size, palette]);
  useEffect(() => {
    const c = canvas.current;
    if (!c || !size || !palette) return;
    if (performance.now() - lastDraw.current < DRAW_EVERY_MS) return;
    lastDraw.current = performance.now();
    const { w, h } = size;
    // Resizing the backing store reallocates it: only when the box really changed size.
    if (c.width !== w) c.width = w;
    if (c.height !== h) c.height = h;
    const ctx = c.getContext('2d')!;
    const color = (s: TraceNode['status']) => (s === 'ok' ? palette.ok : s === 'running' ? palette.running : palette.bad);
    ctx.clearRect(0, 0, w, h);
    const per = h / Math.max(1, rows.length);
    for (let i = 0; i < rows.length; i++) {
      const n = nodes.get(rows[i])!;
      const x0 = ((n.start - start) / span) * w;
      const x1 = (((n.end ?? end) - start) / span) * w;
      const onPath = critical.has(n.id);
      ctx.globalAlpha = onPath ? 1 : 0.55;
      ctx.fillStyle = onPath ? palette.crit : color(n.status);
      ctx.fillRect(x0, i * per, Math.max(1, x1 - x0), Math.max(1, per));
    }
  }, [rows, nodes, start, span, end, critical, size, palette, due]);
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
