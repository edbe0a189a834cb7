'use client';
import type { TraceNode } from '../../lib/trace/buildTrace';
import type { Ref } from 'react';
import { formatDuration } from '../../lib/trace/timeAxis';
import { CopyButton } from '../CopyButton';
import { usageFigures } from '../../lib/trace/nodeFigures';

const dur = (n: TraceNode) => (n.end === null ? 'running' : formatDuration(n.end - n.start));
const MAX_PAYLOAD = 20_000;

/** One node: status, timing, usage, attributes, request/response and its assembled text (clipped at the replay playhead). */
export function NodeDetail({ node, text, critical, ref }: { node: TraceNode; text: string; critical?: boolean; ref?: Ref<HTMLElement> }) {
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
        {usageFigures(node).map((f) => (
          <div key={f.label} className="fact-pair" data-testid="node-usage">
            <dt>{f.label}</dt>
            <dd>{f.value}</dd>
          </div>
        ))}
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
      <h3>
        Text <CopyButton text={text} />
      </h3>
      <pre className="node-text" data-testid="node-text">
        {text || <span className="muted">(no tokens)</span>}
      </pre>
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
