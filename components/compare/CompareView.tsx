'use client';
/**
 * Two traces side by side, aligned by structure (same caller → agent · method path), with
 * what differs marked per row — status, duration, tokens, text, or a step that only one
 * trace took — and the selected row's two texts below, the point where they diverge marked.
 */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { traceQuery } from '../../lib/client/queries';
import { alignTraces, diffCounts, type AlignedRow, type Difference } from '../../lib/trace/alignTraces';
import type { TraceNode, TraceTree } from '../../lib/trace/buildTrace';
import { formatDuration } from '../../lib/trace/timeAxis';
import { TextDiff } from './TextDiff';

const TRACE_ID = /^[0-9a-f]{32}$/;
const DIFF_LABEL = new Map<Difference, string>([
  ['status', 'status'],
  ['duration', 'duration'],
  ['tokens', 'tokens'],
  ['text', 'text'],
  ['only-a', 'only in A'],
  ['only-b', 'only in B'],
]);

export function CompareView({ a, b }: { a: string; b: string }) {
  const valid = TRACE_ID.test(a) && TRACE_ID.test(b);
  if (!valid) return <ChooseTraces a={a} b={b} />;
  return <Comparison a={a} b={b} />;
}

function ChooseTraces({ a, b }: { a: string; b: string }) {
  const router = useRouter();
  const [x, setX] = useState(a);
  const [y, setY] = useState(b);
  const ok = TRACE_ID.test(x.trim().toLowerCase()) && TRACE_ID.test(y.trim().toLowerCase());
  return (
    <div className="placeholder compare-choose" data-testid="compare-empty">
      <h1>Compare two traces</h1>
      <p>Pick two traces in the <Link href="/traces">traces list</Link> (select two, then “Compare”), or paste their ids:</p>
      <form
        className="toolbar compare-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (ok) router.push(`/compare?a=${x.trim().toLowerCase()}&b=${y.trim().toLowerCase()}`);
        }}
      >
        <input aria-label="Trace A" placeholder="trace A" value={x} onChange={(e) => setX(e.target.value)} />
        <input aria-label="Trace B" placeholder="trace B" value={y} onChange={(e) => setY(e.target.value)} />
        <button type="submit" disabled={!ok}>
          Compare
        </button>
      </form>
      {(a || b) && !ok ? <p className="error-text small">A trace id is 32 hex digits.</p> : null}
    </div>
  );
}

function Comparison({ a, b }: { a: string; b: string }) {
  const qa = useQuery(traceQuery(a));
  const qb = useQuery(traceQuery(b));
  const rows = useMemo(() => (qa.data && qb.data ? alignTraces(qa.data, qb.data) : null), [qa.data, qb.data]);
  const [selected, setSelected] = useState<number | null>(null);
  const [onlyDiffs, setOnlyDiffs] = useState(false);
  if (qa.isPending || qb.isPending) return <p className="placeholder">Loading both traces…</p>;
  if (qa.isError || qb.isError) {
    return (
      <div className="placeholder" role="alert" data-testid="compare-error">
        {qa.isError ? <p>Trace A ({a}): {qa.error.message}</p> : null}
        {qb.isError ? <p>Trace B ({b}): {qb.error.message}</p> : null}
        <ChooseTraces a={a} b={b} />
      </div>
    );
  }
  const ta = qa.data;
  const tb = qb.data;
  const all = rows!;
  const counts = diffCounts(all);
  const shown = onlyDiffs ? all.filter((r) => r.diffs.length) : all;
  const sel = selected !== null ? all[selected] : (all.find((r) => r.diffs.includes('text')) ?? null);
  return (
    <div className="compare" data-testid="compare">
      <header className="compare-head">
        <TraceCard label="A" tree={ta} />
        <Link className="swap" href={`/compare?a=${b}&b=${a}`} title="Swap A and B">
          ⇄
        </Link>
        <TraceCard label="B" tree={tb} />
      </header>
      <div className="compare-summary" data-testid="compare-summary">
        <b>{all.length}</b> aligned steps ·{' '}
        {counts.size === 0 ? (
          <span>no differences</span>
        ) : (
          [...counts].map(([d, n]) => (
            <span key={d} className={`diff-badge diff-${d}`}>
              {n} {DIFF_LABEL.get(d)}
            </span>
          ))
        )}
        <span className="spacer" />
        <label className="inline">
          <input type="checkbox" checked={onlyDiffs} onChange={(e) => setOnlyDiffs(e.target.checked)} /> only differences
        </label>
      </div>
      <div className="compare-table" role="table" aria-label="aligned steps">
        <div className="cmp-row cmp-header" role="row">
          <span role="columnheader">step</span>
          <span role="columnheader">A</span>
          <span role="columnheader">B</span>
          <span role="columnheader">differs in</span>
        </div>
        {shown.map((r) => {
          const i = all.indexOf(r);
          return (
            <div
              key={r.key}
              role="row"
              className={`cmp-row${r.diffs.length ? ' differs' : ''}${sel === r ? ' selected' : ''}`}
              data-testid="compare-row"
              data-diffs={r.diffs.join(' ')}
              onClick={() => setSelected(i)}
            >
              <span className="cmp-step" style={{ paddingLeft: 6 + r.depth * 14 }} title={r.key}>
                {stepOf(r)}
              </span>
              <Cell node={r.a} tree={ta} diffs={r.diffs} />
              <Cell node={r.b} tree={tb} diffs={r.diffs} />
              <span className="cmp-diffs">
                {r.diffs.map((d) => (
                  <span key={d} className={`diff-badge diff-${d}`} data-testid="diff-badge">
                    {DIFF_LABEL.get(d)}
                  </span>
                ))}
              </span>
            </div>
          );
        })}
      </div>
      {sel ? <TextDiff row={sel} /> : null}
    </div>
  );
}

function stepOf(r: AlignedRow) {
  const n = (r.a ?? r.b)!;
  return (
    <>
      {n.caller ? <span className="muted">{n.caller} → </span> : null}
      <b>{n.agent}</b> <span className="muted">· {n.name}</span>
    </>
  );
}

function Cell({ node, tree, diffs }: { node: TraceNode | null; tree: TraceTree; diffs: Difference[] }) {
  if (!node) return <span className="cmp-cell missing muted">—</span>;
  const d = (k: Difference) => (diffs.includes(k) ? ' hl' : '');
  return (
    <span className="cmp-cell">
      <span className={`state state-${node.status === 'ok' ? 'idle' : node.status === 'running' ? 'working' : 'error'}${d('status')}`}>{node.status}</span>
      <span className={`num${d('duration')}`}>{formatDuration((node.end ?? tree.end) - node.start)}</span>
      <span className={`num${d('tokens')}`}>{node.tokens} tok</span>
    </span>
  );
}

function TraceCard({ label, tree }: { label: string; tree: TraceTree }) {
  return (
    <div className="trace-card">
      <span className="cmp-label">{label}</span>
      <Link href={`/trace/${tree.traceId}`}>
        <code>{tree.traceId}</code>
      </Link>
      <span className={`state state-${tree.status === 'ok' ? 'idle' : tree.status === 'running' ? 'working' : 'error'}`}>{tree.status}</span>
      <span className="muted small">
        {tree.order.length} spans · {tree.tokens.toLocaleString()} tokens · {formatDuration(tree.end - tree.start)}
      </span>
    </div>
  );
}
