'use client';
/**
 * The waterfall: one row per node in causal depth-first order, a bar on the trace's time
 * axis with its duration, the critical path drawn over the bars, foldable subtrees, search
 * with jump-between-matches, keyboard navigation and (for big traces) a minimap.
 * Virtualized (only rows in view are in the DOM), so thousands of spans scroll smoothly; the
 * row elements are a fixed pool of slots (row i is drawn by slot i mod pool size), so scrolling
 * and folding update the rows that changed instead of unmounting and mounting rows.
 * During replay, bars end at the playhead and nodes not yet started are dimmed.
 */
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { TraceNode, TraceTree } from '../../lib/trace/buildTrace';
import type { CriticalPath, CriticalSegment } from '../../lib/trace/criticalPath';
import type { NodeMap } from '../../lib/trace/nodeMap';
import { formatDuration } from '../../lib/trace/timeAxis';
import { foldPastDepth, nextMatch, searchTrace, unfoldTo, visibleRows } from '../../lib/trace/waterfallRows';
import { Minimap } from './Minimap';
import { TimeAxis } from './TimeAxis';

const ROW = 26;
const OVERSCAN = 4;
const BLOCK = 8;
/** Below this many rows everything fits on a screen or two: no minimap. */
const MINIMAP_ROWS = 150;

export interface WaterfallProps {
  tree: TraceTree;
  nodes: NodeMap;
  selected: string | null;
  onSelect: (id: string) => void;
  /** Enter on a row: open its details. */
  onOpen: (id: string) => void;
  playhead: number | null;
  /** Rows picked elsewhere (an edge of the agent graph). */
  highlight: ReadonlySet<string>;
  critical: CriticalPath;
  /** Told of every change to the search box (the page searches node text, which the outline lacks). */
  onQuery?: (query: string) => void;
  /** Nodes whose text matches the search (found outside: on the server and in the live stream). */
  textMatches?: ReadonlySet<string>;
}

export function Waterfall({ tree, nodes, selected, onSelect, onOpen, playhead, highlight, critical, onQuery, textMatches = EMPTY }: WaterfallProps) {
  const [folded, setFolded] = useState<ReadonlySet<string>>(() => new Set());
  const [query, setQuery] = useState('');
  const [showCritical, setShowCritical] = useState(true);
  // The rendered window moves in blocks of rows, so scrolling re-renders every few frames, not every frame.
  const [block, setBlock] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [cursor, setCursor] = useState<number | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const track = useRef<HTMLDivElement>(null);
  /** What each pooled row element drew last (a hidden slot keeps it, so showing it again changes one style). */
  const slotProps = useRef<(RowProps | undefined)[]>([]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const rows = useMemo(() => visibleRows(tree.order, nodes, folded), [tree.order, nodes, folded]);
  const rowIndex = useMemo(() => new Map(rows.map((id, i) => [id, i])), [rows]);
  const matches = useMemo(() => {
    const meta = searchTrace(tree, nodes, query);
    if (!query.trim() || !textMatches.size) return meta;
    const hit = new Set(meta);
    return tree.order.filter((id) => hit.has(id) || textMatches.has(id));
  }, [tree, nodes, query, textMatches]);
  const matchSet = useMemo(() => new Set(matches), [matches]);
  const segments = useMemo(() => {
    const m = new Map<string, CriticalSegment[]>();
    for (const s of critical.segments) {
      let list = m.get(s.nodeId);
      if (!list) m.set(s.nodeId, (list = []));
      list.push(s);
    }
    return m;
  }, [critical]);
  const maxDepth = useMemo(() => {
    let d = 0;
    for (const id of tree.order) d = Math.max(d, nodes.get(id)!.depth);
    return d;
  }, [tree.order, nodes]);

  const span = Math.max(1, tree.end - tree.start);
  const total = rows.length;

  const scrollToRow = useCallback(
    (id: string, center = false) => {
      const el = box.current;
      const i = rows.indexOf(id);
      if (!el || i < 0) return;
      const top = i * ROW;
      if (center) el.scrollTop = Math.max(0, top - el.clientHeight / 2);
      else if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW - el.clientHeight;
    },
    [rows],
  );
  // A row chosen from outside (search, graph edge, failure path) may sit in a folded subtree.
  const pendingScroll = useRef<string | null>(null);
  const reveal = useCallback(
    (id: string) => {
      setFolded((f) => (f.size ? unfoldTo(nodes, f, id) : f));
      pendingScroll.current = id;
      onSelect(id);
    },
    [nodes, onSelect],
  );
  useEffect(() => {
    if (pendingScroll.current && rowIndex.has(pendingScroll.current)) {
      scrollToRow(pendingScroll.current, true);
      pendingScroll.current = null;
    }
  }, [rowIndex, scrollToRow]);
  useEffect(() => {
    const first = tree.order.find((id) => highlight.has(id));
    if (!first) return;
    setFolded((f) => {
      let out = f;
      for (const id of highlight) out = unfoldTo(nodes, out, id);
      return out;
    });
    pendingScroll.current = first;
  }, [highlight, nodes, tree.order]);
  useEffect(() => {
    // The failure-path list (and first load) select rows: keep the selection in view and unfolded.
    if (selected && !rowIndex.has(selected) && nodes.has(selected)) reveal(selected);
    else if (selected) scrollToRow(selected);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected]);

  const toggle = useCallback(
    (id: string, fold?: boolean) =>
      setFolded((f) => {
        const out = new Set(f);
        if (fold ?? !f.has(id)) out.add(id);
        else out.delete(id);
        return out;
      }),
    [],
  );

  // Enter before the text matches arrived (they come from the server): jump when they do.
  const pendingJump = useRef<boolean | null>(null);
  const jump = (backwards = false) => {
    const id = nextMatch(matches, selected && matchSet.has(selected) ? selected : null, backwards);
    if (id) reveal(id);
    else if (query.trim()) pendingJump.current = backwards;
  };
  useEffect(() => {
    if (pendingJump.current === null || !matches.length) return;
    const backwards = pendingJump.current;
    pendingJump.current = null;
    const id = nextMatch(matches, null, backwards);
    if (id) reveal(id);
  }, [matches, reveal]);

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!rows.length) return;
    const cur = selected && rowIndex.has(selected) ? rowIndex.get(selected)! : -1;
    const n = selected ? nodes.get(selected) : undefined;
    const move = (i: number) => {
      const id = rows[Math.max(0, Math.min(rows.length - 1, i))];
      onSelect(id);
      scrollToRow(id);
    };
    switch (e.key) {
      case 'ArrowDown':
        move(cur + 1);
        break;
      case 'ArrowUp':
        move(cur < 0 ? 0 : cur - 1);
        break;
      case 'ArrowLeft':
        // Fold an open subtree; on a leaf or folded row, go to the parent (tree-grid convention).
        if (n && n.children.length && !folded.has(n.id)) toggle(n.id, true);
        else if (n?.parentId && rowIndex.has(n.parentId)) move(rowIndex.get(n.parentId)!);
        break;
      case 'ArrowRight':
        if (n && n.children.length && folded.has(n.id)) toggle(n.id, false);
        else if (n && n.children.length) move(cur + 1);
        break;
      case 'Enter':
        if (selected) onOpen(selected);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(rows.length - 1);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const r = track.current?.getBoundingClientRect();
    if (!r || e.clientX < r.left || e.clientX > r.right) return setCursor(null);
    setCursor(((e.clientX - r.left) / r.width) * span);
  };

  const pct = (t: number) => ((t - tree.start) / span) * 100;
  const first = Math.max(0, block * BLOCK - OVERSCAN);
  const last = Math.min(total, block * BLOCK + Math.ceil(height / ROW) + BLOCK + OVERSCAN);
  // The pool covers the largest window (last - first never exceeds it).
  const pool = Math.ceil(height / ROW) + BLOCK + 2 * OVERSCAN;
  const slots = slotProps.current;
  const out = [];
  for (let k = 0; k < pool; k++) {
    // The row this slot draws now: the one in [first, last) whose index is k mod pool.
    const i = first + ((((k - first) % pool) + pool) % pool);
    let props: RowProps | undefined;
    if (i < last) {
      const n = nodes.get(rows[i])!;
      props = {
        node: n,
        index: i,
        traceStart: tree.start,
        traceEnd: tree.end,
        span,
        playhead: rowPlayhead(n, playhead, tree.end),
        selected: selected === n.id,
        folded: folded.has(n.id),
        match: matchSet.has(n.id),
        picked: highlight.has(n.id),
        critical: showCritical && critical.nodes.has(n.id) ? (segments.get(n.id) ?? NO_SEGMENTS) : null,
        hidden: false,
        onSelect,
        onToggle: toggle,
      };
      slots[k] = props;
    } else if (slots[k]) {
      // Nothing to draw here now (a fold shortened the list): hide the element, keep it for later.
      props = slots[k]!.hidden ? slots[k]! : (slots[k] = { ...slots[k]!, hidden: true });
    }
    if (props) out.push(<WaterfallRow key={k} {...props} />);
  }
  slots.length = pool;

  return (
    <div className="wf-wrap">
      <div className="wf-tools">
        <input
          type="search"
          aria-label="Search in this trace"
          placeholder="Search spans, agents, text…"
          data-testid="trace-search"
          value={query}
          onChange={(e) => {
            pendingJump.current = null;
            setQuery(e.target.value);
            onQuery?.(e.target.value);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              jump(e.shiftKey);
            }
          }}
        />
        <span className="muted small" data-testid="search-count">
          {query.trim() ? `${matches.length ? (selected && matchSet.has(selected) ? matches.indexOf(selected) + 1 : 0) : 0}/${matches.length}` : ''}
        </span>
        <button type="button" onClick={() => jump(true)} disabled={!matches.length} aria-label="Previous match">
          ↑
        </button>
        <button type="button" onClick={() => jump()} disabled={!matches.length} aria-label="Next match">
          ↓
        </button>
        <span className="wf-sep" />
        <label className="inline">
          fold past depth
          <select
            aria-label="Fold past depth"
            data-testid="fold-depth"
            value=""
            onChange={(e) => {
              const d = Number(e.target.value);
              setFolded(foldPastDepth(tree.order, nodes, d));
            }}
          >
            <option value="" disabled>
              …
            </option>
            {Array.from({ length: Math.min(maxDepth, 12) }, (_, d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setFolded(new Set())} disabled={!folded.size} data-testid="expand-all">
          Expand all
        </button>
        <button type="button" aria-pressed={showCritical} onClick={() => setShowCritical((v) => !v)} data-testid="critical-toggle" title="The chain of spans that determines when the trace ends">
          Critical path
        </button>
        <span className="spacer" />
        <span className="muted small">{rows.length < tree.order.length ? `${rows.length} of ${tree.order.length} rows` : `${rows.length} rows`}</span>
      </div>
      <TimeAxis span={span} cursor={cursor} playhead={playhead === null ? null : playhead - tree.start} />
      <div className="wf-main">
        <div
          className="waterfall"
          role="treegrid"
          aria-rowcount={total}
          aria-label="trace waterfall"
          tabIndex={0}
          ref={box}
          onKeyDown={onKey}
          onPointerMove={onPointerMove}
          onPointerLeave={() => setCursor(null)}
          onScroll={(e) => {
            const top = e.currentTarget.scrollTop;
            setBlock(Math.floor(top / ROW / BLOCK));
            // Only the minimap needs the exact offset; skip re-rendering when it is not shown.
            if (tree.order.length > MINIMAP_ROWS) setScrollTop(top);
            setHeight(e.currentTarget.clientHeight);
          }}
          data-testid="waterfall"
        >
          <div className="wf-rows" style={{ height: total * ROW }}>
            <div className="wf-guides" aria-hidden>
              <div className="wf-axis-label" />
              <div className="wf-track" ref={track}>
                {cursor !== null ? <span className="wf-cursor" style={{ left: `${(cursor / span) * 100}%` }} /> : null}
                {playhead !== null ? <span className="wf-playhead" style={{ left: `${pct(playhead)}%` }} /> : null}
              </div>
            </div>
            {out}
          </div>
        </div>
        {tree.order.length > MINIMAP_ROWS ? (
          <Minimap
            rows={rows}
            nodes={nodes}
            start={tree.start}
            end={tree.end}
            span={span}
            critical={showCritical ? critical.nodes : EMPTY}
            scrollTop={scrollTop}
            viewHeight={height}
            rowHeight={ROW}
            onScrollTo={(top) => {
              if (box.current) box.current.scrollTop = Math.max(0, top);
            }}
          />
        ) : null}
      </div>
    </div>
  );
}

const EMPTY: ReadonlySet<string> = new Set();

/**
 * The playhead as one row sees it: only a row in progress at the playhead needs the exact
 * value; before its start every value hides it alike, after its end it is drawn whole — so
 * during replay only the rows in flight re-render each frame.
 */
function rowPlayhead(n: TraceNode, playhead: number | null, traceEnd: number): number | null {
  if (playhead === null || playhead >= (n.end ?? traceEnd)) return null;
  return playhead < n.start ? -Infinity : playhead;
}
const NO_SEGMENTS: CriticalSegment[] = [];

interface RowProps {
  node: TraceNode;
  index: number;
  traceStart: number;
  traceEnd: number;
  span: number;
  playhead: number | null;
  selected: boolean;
  folded: boolean;
  match: boolean;
  picked: boolean;
  /** This node's critical-path slices, or null when it is not on the path (or the path is hidden). */
  critical: CriticalSegment[] | null;
  /** A pooled slot with no row to draw: kept in the DOM, not shown. */
  hidden: boolean;
  onSelect: (id: string) => void;
  onToggle: (id: string, fold?: boolean) => void;
}

/** One waterfall row; memoized, so scrolling and folding only render the slots whose row changed. */
const WaterfallRow = memo(function WaterfallRow({ node: n, index: i, traceStart, traceEnd, span, playhead, selected, folded: isFolded, match, picked, critical, hidden: slotHidden, onSelect, onToggle }: RowProps) {
  const end = n.end ?? traceEnd;
  const hidden = playhead !== null && n.start > playhead;
  const shownEnd = playhead !== null ? Math.min(end, playhead) : end;
  const pct = (t: number) => ((t - traceStart) / span) * 100;
  const left = pct(n.start);
  const width = Math.max(0.3, pct(shownEnd) - left);
  const dur = formatDuration(shownEnd - n.start);
  // The duration label sits after the bar, or inside it when the bar reaches the right edge, or before it.
  const durAt = left + width <= 80 ? 'after' : width >= 12 ? 'inside' : 'before';
  const cls = ['wf-row', selected && 'selected', n.onFailurePath && 'failing', hidden && 'future', match && 'match', picked && 'picked', critical && 'critical'].filter(Boolean).join(' ');
  return (
    <div
      role="row"
      aria-selected={selected}
      aria-level={n.depth + 1}
      aria-rowindex={i + 1}
      aria-expanded={n.children.length ? !isFolded : undefined}
      data-testid={slotHidden ? undefined : 'waterfall-row'}
      hidden={slotHidden}
      data-node={n.id}
      data-status={n.status}
      data-failure-path={n.onFailurePath}
      data-critical={critical !== null}
      data-match={match || undefined}
      data-picked={picked || undefined}
      className={cls}
      style={{ top: i * ROW }}
      onClick={() => onSelect(n.id)}
    >
      <div className="wf-label" style={{ paddingLeft: 4 + n.depth * 14 }} title={`${n.caller ? `${n.caller} → ` : ''}${n.agent} · ${n.name}`}>
        {n.children.length ? (
          <button
            type="button"
            tabIndex={-1}
            className="wf-fold"
            data-testid="fold-toggle"
            aria-label={isFolded ? `Expand ${n.children.length} children` : 'Collapse'}
            onClick={(e) => {
              e.stopPropagation();
              onToggle(n.id);
            }}
          >
            {isFolded ? '▸' : '▾'}
          </button>
        ) : (
          <span className="wf-fold-space" />
        )}
        <span className={`dot dot-${n.status}`} aria-hidden />
        {n.caller ? <span className="muted">{n.caller} → </span> : null}
        <b>{n.agent}</b> <span className="muted">· {n.name}</span>
        {isFolded ? <span className="wf-folded-count muted"> +{n.children.length}</span> : null}
        {n.tokens ? <span className="muted"> · {n.tokens} tok</span> : null}
      </div>
      <div className="wf-track">
        {hidden ? null : (
          <>
            <div className={`wf-bar bar-${n.status}`} style={{ left: `${left}%`, width: `${width}%` }} />
            {critical?.map((s) => <div key={s.start} className="wf-crit" style={{ left: `${pct(s.start)}%`, width: `${Math.max(0.2, pct(s.end) - pct(s.start))}%` }} />)}
            <span className={`wf-dur${durAt === 'inside' ? ' inside' : ''}`} data-testid="bar-duration" style={durAt === 'after' ? { left: `${left + width}%` } : durAt === 'inside' ? { right: `${100 - left - width}%` } : { right: `${100 - left}%` }}>
              {n.end === null && playhead === null ? `${dur}…` : dur}
            </span>
          </>
        )}
      </div>
    </div>
  );
});
