'use client';
/**
 * One Neural Trace: the causal tree as a waterfall beside the selected node's text, the
 * flawed reasoning paths, replay. Structure comes from /api/traces/:id (refetched when the
 * live trace scope brings new calls or spans); text comes live from the trace scope, so a
 * trace still in progress keeps growing on the page.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, timelineQuery, traceQuery } from '../../lib/client/queries';
import { buildReplayIndex, textLengthAt } from '../../lib/trace/replay';
import type { TraceTree } from '../../lib/trace/buildTrace';
import { traceNodeId } from '../../lib/model/keys';
import type { AgentGraphEdge } from '../../lib/trace/agentGraph';
import { criticalPath } from '../../lib/trace/criticalPath';
import { traceNodes } from '../../lib/trace/nodeMap';
import { formatDuration } from '../../lib/trace/timeAxis';
import { CopyButton } from '../CopyButton';
import Link from 'next/link';
import { formatUsage } from '../../lib/client/usageFormat';
import { ShareDialog } from '../ShareDialog';
import { useEmbedToken } from '../XrayProviders';
import { useWatchedScope } from '../useWatchedScope';
import { AgentGraphView } from './AgentGraphView';
import { CompareWith } from './CompareWith';
import { FailurePaths } from './FailurePaths';
import { NodeDetail } from './NodeDetail';
import { ReplayBar, type ReplayState } from './ReplayBar';
import { Waterfall } from './Waterfall';

const NONE: ReadonlySet<string> = new Set();

export function TraceView({ traceId }: { traceId: string }) {
  const embedToken = useEmbedToken();
  const client = useQueryClient();
  const q = useQuery(traceQuery(traceId, embedToken));
  const stream = useWatchedScope({ kind: 'trace', traceId });

  // New calls/spans on the live scope change the tree's shape: refetch it, at most once a second.
  const structure = stream?.events.length ?? 0;
  const lastFetch = useRef(0);
  useEffect(() => {
    if (!structure) return;
    const wait = Math.max(0, 1000 - (Date.now() - lastFetch.current));
    const t = setTimeout(() => {
      lastFetch.current = Date.now();
      void client.invalidateQueries({ queryKey: traceQuery(traceId, embedToken).queryKey });
    }, wait);
    return () => clearTimeout(t);
  }, [structure, client, traceId, embedToken]);
  // Tokens that arrive before the first tree (a trace that just started) also deserve a fetch.
  useEffect(() => {
    if (q.isError && stream && stream.tokens + stream.events.length > 0) void q.refetch();
  }, [q, stream]);

  const liveText = useMemo(() => {
    const m = new Map<string, string>();
    for (const s of stream?.spans.values() ?? []) m.set(traceNodeId(s.spanId, s.agent), s.text);
    return m;
  }, [stream]);

  const tree = q.data;
  const nodes = useMemo(() => (tree ? traceNodes(tree) : new Map()), [tree]);
  const critical = useMemo(() => (tree ? criticalPath(tree) : { segments: [], nodes: new Set<string>() }), [tree]);
  const [tab, setTab] = useState<'waterfall' | 'graph'>('waterfall');
  // Spans picked from the agent graph (an edge's calls, or an agent's work), highlighted in the waterfall.
  const [picked, setPicked] = useState<{ label: string; edge: string | null; ids: ReadonlySet<string> } | null>(null);
  const detail = useRef<HTMLElement>(null);
  const onOpen = useCallback(() => detail.current?.focus(), []);
  const pickEdge = useCallback((e: AgentGraphEdge) => {
    const ids = new Set(e.calls.map((c) => c.nodeId));
    setPicked({ label: `${e.source} → ${e.target}`, edge: e.id, ids });
    setSelected(e.calls.find((c) => c.status === 'error' || c.status === 'timeout')?.nodeId ?? e.calls[0]?.nodeId ?? null);
    setTab('waterfall');
  }, []);
  const [selected, setSelected] = useState<string | null>(null);
  useEffect(() => {
    if (!tree || selected) return;
    // `?span=<id>` (from a span query or a gate verdict) selects that span; else the root cause.
    const wanted = new URLSearchParams(window.location.search).get('span');
    setSelected(wanted && tree.nodes[wanted] ? wanted : (tree.failures.find((f) => f.rootCause)?.nodeId ?? tree.order[0] ?? null));
  }, [tree, selected]);

  const [replay, setReplay] = useState<ReplayState>({ playhead: null, playing: false, speed: 4 });
  const onReplay = useCallback((s: ReplayState) => setReplay(s), []);
  const timeline = useQuery({ ...timelineQuery(traceId, embedToken), enabled: replay.playhead !== null || replay.playing });
  const index = useMemo(() => (timeline.data && tree ? buildReplayIndex(timeline.data.tokens, tree.start, tree.end) : null), [timeline.data, tree]);

  if (q.isPending) return <p className="placeholder">Loading trace {traceId}…</p>;
  if (q.isError && !tree) {
    const missing = q.error instanceof ApiError && q.error.status === 404;
    const expired = q.error instanceof ApiError && q.error.code === 'expired';
    return (
      <div className="placeholder" role="alert" data-testid="trace-error">
        {expired ? (
          <>
            <p data-testid="trace-expired">Trace {traceId} is older than the retention window: its events were deleted.</p>
            <p className="muted small">The server keeps events for the period set by XRAY_RETENTION / XRAY_MAX_LOG_BYTES. Restore a backup to see it again.</p>
          </>
        ) : missing ? (
          <>
            <p>No events recorded for trace {traceId} yet.</p>
            <p className="muted small">This page updates as soon as the trace starts.</p>
          </>
        ) : (
          <p>Could not load the trace: {q.error.message}</p>
        )}
      </div>
    );
  }
  const t = tree as TraceTree;
  const start = index?.start ?? t.start;
  const end = index?.end ?? t.end;
  const node = selected ? nodes.get(selected) : undefined;
  const pickAgent = (agent: string) => {
    const ids = new Set(t.order.filter((id) => nodes.get(id)!.agent === agent));
    setPicked({ label: agent, edge: null, ids });
    setSelected(t.order.find((id) => ids.has(id)) ?? null);
    setTab('waterfall');
  };
  const fullText = node ? (liveText.get(node.id) ?? node.text) : '';
  const shownText = node && replay.playhead !== null && index ? fullText.slice(0, textLengthAt(index, node.id, replay.playhead)) : fullText;
  const spans = t.order.length;
  return (
    <div className="trace">
      <header className="trace-head">
        <h1 className="trace-id">
          <span className="muted">trace</span> <code data-testid="trace-id">{traceId}</code>
        </h1>
        <span className={`state state-${t.status === 'timeout' ? 'error' : t.status === 'running' ? 'working' : t.status === 'ok' ? 'idle' : 'error'}`} data-testid="trace-status">
          {t.status}
        </span>
        <span className="muted small" data-testid="trace-summary">
          {spans} spans · {(stream?.tokens ?? t.tokens).toLocaleString()} tokens · {t.agents.length} agents · {formatDuration(t.end - t.start)}
        </span>
        {t.usage && (t.usage.input || t.usage.output) ? (
          <span className="small" data-testid="trace-usage" title={t.byModel.map((m) => `${m.model}: ${formatUsage(m)}`).join('\n')}>
            {formatUsage(t.usage)}
          </span>
        ) : null}
        {!embedToken && t.sessions?.length
          ? t.sessions.map((id) => (
              <Link key={id} className="small" href={`/session/${encodeURIComponent(id)}`} data-testid="trace-session">
                session {id}
              </Link>
            ))
          : null}
        <div className="spacer" />
        {!embedToken ? <CopyButton label="Copy link" text={() => `${location.origin}/trace/${traceId}`} /> : null}
        {!embedToken ? <CompareWith traceId={traceId} agent={t.roots.length ? (nodes.get(t.roots[0])?.agent ?? null) : null} /> : null}
        {!embedToken ? <ShareDialog scope={`trace:${traceId}`} title="this trace" /> : null}
      </header>
      <FailurePaths tree={t} onSelect={setSelected} />
      <ReplayBar start={start} end={end} state={replay} onChange={onReplay} loading={timeline.isFetching && !timeline.data} />
      <div className="trace-body">
        <section className="trace-left">
          <div className="tabs trace-tabs" role="tablist" aria-label="trace views">
            <button role="tab" aria-selected={tab === 'waterfall'} onClick={() => setTab('waterfall')} data-testid="tab-waterfall">
              Waterfall
            </button>
            <button role="tab" aria-selected={tab === 'graph'} onClick={() => setTab('graph')} data-testid="tab-graph">
              Agent graph
            </button>
            {picked ? (
              <span className="chip picked-chip" data-testid="picked">
                {picked.ids.size} span{picked.ids.size === 1 ? '' : 's'} of <b>{picked.label}</b>
                <button type="button" className="ghost" aria-label="Clear picked spans" onClick={() => setPicked(null)}>
                  ✕
                </button>
              </span>
            ) : null}
          </div>
          {tab === 'waterfall' ? (
            <Waterfall tree={t} nodes={nodes} selected={selected} onSelect={setSelected} onOpen={onOpen} playhead={replay.playhead} highlight={picked?.ids ?? NONE} critical={critical} />
          ) : (
            <AgentGraphView tree={t} playhead={replay.playhead} picked={picked?.edge ?? null} onPickEdge={pickEdge} onPickAgent={pickAgent} />
          )}
        </section>
        {node ? <NodeDetail node={node} text={shownText} traceId={traceId} onSelect={setSelected} critical={critical.nodes.has(node.id)} ref={detail} /> : <p className="placeholder">Select a row.</p>}
      </div>
    </div>
  );
}
