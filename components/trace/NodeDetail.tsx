'use client';
import Link from 'next/link';
import type { TraceNode } from '../../lib/trace/buildTrace';
import type { Ref } from 'react';
import { formatDuration } from '../../lib/trace/timeAxis';
import { CopyButton } from '../CopyButton';
import { formatCost } from '../../lib/client/usageFormat';

const dur = (n: TraceNode) => (n.end === null ? 'running' : formatDuration(n.end - n.start));
const MAX_PAYLOAD = 20_000;

/** One node: status, timing, usage, attributes, request/response and its assembled text (clipped at the replay playhead). */
/** `textNote`: what to say about the text instead of, or beside, it (still loading, only its start shown). */
export function NodeDetail({ node, text, textNote, traceId, onSelect, critical, ref }: { node: TraceNode; text: string; textNote?: string | null; traceId?: string; onSelect?: (id: string) => void; critical?: boolean; ref?: Ref<HTMLElement> }) {
  return (
    <section className="node-detail" aria-label="selected node" data-testid="node-detail" tabIndex={-1} ref={ref}>
      <header className="panel-head">
        <h2>
          {node.agent} · {node.name}
        </h2>
        <span className={`state state-${node.status}`}>{node.status}</span>
      </header>
      {node.error ? <p className="error-text" data-testid="node-error">{node.error}</p> : null}
      <dl className="facts">
        <dt>kind</dt>
        <dd>{node.kind}</dd>
        {node.caller ? (
          <>
            <dt>asked by</dt>
            <dd>{node.caller}</dd>
          </>
        ) : null}
        <dt>started</dt>
        <dd>{new Date(node.start).toLocaleTimeString()}</dd>
        <dt>latency</dt>
        <dd>{dur(node)}</dd>
        <dt>tokens</dt>
        <dd>{node.tokens}</dd>
        {node.model ? (
          <>
            <dt>model</dt>
            <dd>{node.model}</dd>
          </>
        ) : null}
        {node.operation ? (
          <>
            <dt>operation</dt>
            <dd>{node.operation}</dd>
          </>
        ) : null}
        {node.usage.input !== null || node.usage.output !== null ? (
          <>
            <dt>usage</dt>
            <dd data-testid="node-usage">
              {node.usage.input ?? '—'} in / {node.usage.output ?? '—'} out
              {node.usage.cacheRead ? ` · ${node.usage.cacheRead} cached` : ''}
              {node.usage.cacheWrite ? ` · ${node.usage.cacheWrite} cache write` : ''}
              {node.usage.reasoning ? ` · ${node.usage.reasoning} reasoning` : ''}
            </dd>
            <dt>cost</dt>
            <dd>{formatCost(node.cost ?? null)}</dd>
          </>
        ) : null}
        {node.provider ? (
          <>
            <dt>provider</dt>
            <dd>{node.provider}</dd>
          </>
        ) : null}
        {node.timeToFirstTokenMs !== null && node.timeToFirstTokenMs !== undefined ? (
          <>
            <dt>first token</dt>
            <dd>{Math.round(node.timeToFirstTokenMs)} ms</dd>
          </>
        ) : null}
        {node.agentInherited ? (
          <>
            <dt>agent</dt>
            <dd className="muted">inherited from an ancestor span</dd>
          </>
        ) : null}
        {node.sessionId ? (
          <>
            <dt>session</dt>
            <dd>
              <a href={`/session/${encodeURIComponent(node.sessionId)}`}>{node.sessionId}</a>
            </dd>
          </>
        ) : null}
        {critical ? (
          <>
            <dt>critical path</dt>
            <dd className="crit-text">on it: this node's time made the trace longer</dd>
          </>
        ) : null}
        <dt>span id</dt>
        <dd>
          <code>{node.id}</code>
        </dd>
      </dl>
      {node.kind === 'gate' && node.requirements ? (
        <>
          <h3>Gate requirements</h3>
          <ul className="gate-requirements" data-testid="gate-requirements">
            {node.requirements.map((r, i) => (
              <li key={i} className={r.ok ? 'ok' : 'fail'}>
                {r.ok ? '✓' : '✗'} {r.requirement}: {r.reason}
                {r.span_id && r.trace_id && r.trace_id === traceId && onSelect ? (
                  <button type="button" className="linklike" onClick={() => onSelect(r.span_id!)} data-testid="gate-evidence-link">
                    evidence <code>{r.span_id}</code>
                  </button>
                ) : r.span_id && r.trace_id ? (
                  <Link href={`/trace/${r.trace_id}?span=${r.span_id}`} data-testid="gate-evidence-link">
                    evidence <code>{r.span_id}</code>
                  </Link>
                ) : r.span_id ? (
                  <span className="evidence unknown"> cited <code>{r.span_id}</code> (never recorded)</span>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h3>
        Text <CopyButton text={text} />
      </h3>
      {textNote ? (
        <p className="muted small" data-testid="node-text-note">
          {textNote}
        </p>
      ) : null}
      <pre className="node-text" data-testid="node-text">
        {text || (textNote ? null : <span className="muted">(no tokens)</span>)}
      </pre>
      {node.tool ? (
        <>
          <h3>Tool call {node.tool.name ? <code>{node.tool.name}</code> : null}</h3>
          {node.tool.arguments !== null ? <pre className="payload" data-testid="node-tool-args">{node.tool.arguments.slice(0, MAX_PAYLOAD)}</pre> : null}
          {node.tool.result !== null ? (
            <>
              <h3>Tool result</h3>
              <pre className="payload">{node.tool.result.slice(0, MAX_PAYLOAD)}</pre>
            </>
          ) : null}
        </>
      ) : null}
      {node.systemInstructions ? (
        <>
          <h3>System instructions</h3>
          <pre className="payload">{node.systemInstructions.slice(0, MAX_PAYLOAD)}</pre>
        </>
      ) : null}
      {node.request !== null ? (
        <>
          <h3>Request</h3>
          <pre className="payload">{node.request.slice(0, MAX_PAYLOAD)}</pre>
        </>
      ) : null}
      {node.response !== null ? (
        <>
          <h3>Response</h3>
          <pre className="payload">{node.response.slice(0, MAX_PAYLOAD)}</pre>
        </>
      ) : null}
      {Object.keys(node.attributes).length ? (
        <>
          <h3>Attributes</h3>
          <dl className="facts attrs">
            {Object.entries(node.attributes).map(([k, v]) => (
              <div key={k} className="attr">
                <dt>{k}</dt>
                <dd>{String(v)}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
    </section>
  );
}
