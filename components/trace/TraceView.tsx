'use client';
/**
 * One Neural Trace: the causal tree as a waterfall beside the selected node's text, the
 * flawed reasoning paths, replay. One read of the trace per page: the structure comes from
 * /api/traces/:id/outline (the tree without token text; refetched when the live trace scope
 * brings new calls or spans), the selected node's text from /api/traces/:id/text as of the
 * outline's seq, and the live trace scope continues from that seq (no snapshot) — so a trace
 * still in progress keeps growing on the page and no token is counted twice.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, timelineQuery, traceOutlineQuery, traceSearchQuery, traceTextQuery } from '../../lib/client/queries';
import { buildReplayIndex, textLengthAt } from '../../lib/trace/replay';
import type { TraceTree } from '../../lib/trace/buildTrace';
import { traceNodeId } from '../../lib/model/keys';
import type { AgentGraphEdge } from '../../lib/trace/agentGraph';
import { criticalPath } from '../../lib/trace/criticalPath';
import { traceNodes } from '../../lib/trace/nodeMap';
import { firstSelection } from '../../lib/trace/traceOutline';
import { formatDuration } from '../../lib/trace/timeAxis';
import { CopyButton } from '../CopyButton';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
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
/** Typing pauses this long before the text search asks the server. */
const SEARCH_DEBOUNCE_MS = 200;

export function TraceView({ traceId }: { traceId: string }) {
  const embedToken = useEmbedToken();
  const client = useQueryClient();
  const q = useQuery(traceOutlineQuery(traceId, embedToken));
  // The live scope is watched once the first outline says how far it goes (the stream continues
  // after it); a trace with no events yet is watched from the start (a snapshot, then deltas).
  const haveTree = q.data !== undefined;
  const missing = q.isError && !haveTree;
  /** Tokens of the outline the stream continues from: later outlines do not move the stream's origin. */
  const base = useRef<{ traceId: string; tokens: number } | null>(null);
  if ((haveTree || missing) && base.current?.traceId !== traceId) base.current = { traceId, tokens: q.data?.tokens ?? 0 };
  const stream = useWatchedScope({ kind: 'trace', traceId }, { ready: haveTree || missing, after: q.data?.headSeq });

  // New calls/spans on the live scope change the tree's shape: refetch it, at most once a second.
  const structure = stream?.events.length ?? 0;
  const lastFetch = useRef(0);
  useEffect(() => {
    if (!structure) return;
    const wait = Math.max(0, 1000 - (Date.now() - lastFetch.current));
    const t = setTimeout(() => {
      lastFetch.current = Date.now();
      void client.invalidateQueries({ queryKey: traceOutlineQuery(traceId, embedToken).queryKey });
    }, wait);
    return () => clearTimeout(t);
  }, [structure, client, traceId, embedToken]);
  // Tokens that arrive before the first tree (a trace that just started) also deserve a fetch.
  useEffect(() => {
    if (q.isError && stream && stream.tokens + stream.events.length > 0) void q.refetch();
  }, [q, stream]);

  /** Text the stream brought per node: all of it (origin 0, a snapshot) or what followed the origin. */
  const liveText = useMemo(() => {
    const m = new Map<string, string>();
    for (const s of stream?.spans.values() ?? []) m.set(traceNodeId(s.spanId, s.agent), s.text);
    return m;
  }, [stream]);
  // The seq the page's text is exact as of: the stream's origin once watched, else the seq it
  // will be watched from (the first outline's), so the text request need not wait for the socket.
  const origin = stream ? stream.origin : q.data ? q.data.headSeq : null;

  // Search: span metadata in the page, text on the server (as of the origin) and in the streamed tail.
  const [search, setSearch] = useState('');
  const onQuery = useMemo(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return (text: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => setSearch(text.trim()), SEARCH_DEBOUNCE_MS);
    };
  }, []);
  const textSearch = useQuery({ ...traceSearchQuery(traceId, search, origin ?? 0, embedToken), enabled: search !== '' && origin !== null && origin > 0 });
  const textMatches = useMemo(() => {
    const out = new Set<string>(textSearch.data?.ids ?? []);
    const needle = search.toLowerCase();
    if (needle) for (const [id, text] of liveText) if (text.toLowerCase().includes(needle)) out.add(id);
    return out;
  }, [textSearch.data, liveText, search]);

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
  const wanted = useSearchParams()?.get('span');
  if (tree && !selected) {
    // Chosen while rendering, not in an effect: the first frame with the tree already shows the
    // selected node and its text (an effect would paint a frame without them and render again).
    // `?span=<id>` (from a span query or a gate verdict) selects that span; else the root cause.
    const first = wanted && tree.nodes[wanted] ? wanted : firstSelection(tree);
    if (first) setSelected(first);
  }

  const [replay, setReplay] = useState<ReplayState>({ playhead: null, playing: false, speed: 4 });
  const onReplay = useCallback((s: ReplayState) => setReplay(s), []);
  const timeline = useQuery({ ...timelineQuery(traceId, embedToken), enabled: replay.playhead !== null || replay.playing });
  const index = useMemo(() => (timeline.data && tree ? buildReplayIndex(timeline.data.tokens, tree.start, tree.end) : null), [timeline.data, tree]);
  const selectedNode = selected ? nodes.get(selected) : undefined;
  const text = useQuery({
    ...traceTextQuery(traceId, selected ?? '', origin ?? 0, embedToken),
    enabled: !!selectedNode && origin !== null && origin > 0 && (selectedNode.textChars ?? selectedNode.text.length) > 0,
    // The outline brought the first node's text as of its own seq: exact when that is the origin.
    initialData: () => (tree?.first && tree.first.id === selected && tree.headSeq === origin ? tree.first : undefined),
  });

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
  // Text as of the origin (loaded for this node) plus what the stream brought since; with
  // origin 0 (a snapshot: a trace watched before it had events, or a resync) the stream has it all.
  const needsText = !!node && origin !== 0 && (node.textChars ?? node.text.length) > 0;
  const loaded = text.data;
  const fullText = !node ? '' : origin === 0 ? (liveText.get(node.id) ?? node.text) : (needsText ? (loaded?.text ?? '') : node.text) + (liveText.get(node.id) ?? '');
  const textNote = !needsText
    ? null
    : text.isError
      ? `Could not load the text: ${text.error.message}`
      : !loaded
        ? 'Loading text…'
        : loaded.truncated
          ? `Showing the first ${loaded.text.length.toLocaleString()} of ${loaded.chars.toLocaleString()} characters.`
          : null;
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
          {spans} spans · {(!stream ? t.tokens : stream.origin === 0 ? stream.tokens : (base.current?.tokens ?? 0) + stream.tokens).toLocaleString()} tokens · {t.agents.length} agents · {formatDuration(t.end - t.start)}
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
            <Waterfall tree={t} nodes={nodes} selected={selected} onSelect={setSelected} onOpen={onOpen} playhead={replay.playhead} highlight={picked?.ids ?? NONE} critical={critical} onQuery={onQuery} textMatches={textMatches} />
          ) : (
            <AgentGraphView tree={t} playhead={replay.playhead} picked={picked?.edge ?? null} onPickEdge={pickEdge} onPickAgent={pickAgent} />
          )}
        </section>
        {node ? <NodeDetail node={node} text={shownText} textNote={textNote} traceId={traceId} onSelect={setSelected} critical={critical.nodes.has(node.id)} ref={detail} /> : <p className="placeholder">Select a row.</p>}
      </div>
    </div>
  );
}
