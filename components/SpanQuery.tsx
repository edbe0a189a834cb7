'use client';
/**
 * A span selector box for the Traces page: the same query agents run (`GET /v1/spans?q=`),
 * e.g. `span[name="security_scan_complete" vulnerabilities.critical>0]`. Each hit links to
 * its trace with the span selected; a bad selector shows where it went wrong.
 */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ApiError, spansQuery } from '../lib/client/queries';
import { spanKey } from '../lib/model/keys';

const EXAMPLE = 'span[name="security_scan_complete" vulnerabilities.critical=0]';

export function SpanQuery() {
  const [text, setText] = useState('');
  const [selector, setSelector] = useState('');
  const q = useQuery(spansQuery(selector, 50));
  return (
    <section className="span-query" aria-label="span query">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setSelector(text.trim());
        }}
      >
        <input aria-label="Span selector" placeholder={EXAMPLE} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
        <button type="submit">Find spans</button>
      </form>
      {selector && q.isPending ? <p className="placeholder">Searching spans…</p> : null}
      {q.isError ? (
        <p className="placeholder error-text" role="alert" data-testid="selector-error">
          {q.error instanceof ApiError && q.error.code === 'bad_selector' ? 'Bad selector: ' : 'Could not query spans: '}
          {q.error.message}
        </p>
      ) : null}
      {q.data && !q.data.spans.length ? <p className="placeholder">No span matches {selector}.</p> : null}
      {q.data && q.data.spans.length ? (
        <table className="agents" aria-label="matching spans">
          <thead>
            <tr>
              <th>span</th>
              <th>agent</th>
              <th>kind</th>
              <th>status</th>
              <th className="num">duration</th>
              <th>started</th>
              <th>trace</th>
            </tr>
          </thead>
          <tbody>
            {q.data.spans.map((s) => (
              <tr key={spanKey(s.trace_id, s.span_id)} data-testid="span-row">
                <td>{s.name}</td>
                <td>{s.agent}</td>
                <td>{s.kind}</td>
                <td>
                  <span className={`state state-${s.status === 'error' ? 'error' : s.status === 'ok' ? 'ok' : 'working'}`}>{s.status}</span>
                </td>
                <td className="num">{s.end === null ? 'open' : `${Math.round(s.end - s.start)} ms`}</td>
                <td>{new Date(s.start).toLocaleTimeString()}</td>
                <td>
                  <Link href={`/trace/${s.trace_id}?span=${s.span_id}`}>
                    <code>{s.trace_id.slice(0, 8)}…</code>
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {q.data?.next ? <p className="muted small">Showing the newest {q.data.spans.length}; narrow the selector for older ones.</p> : null}
    </section>
  );
}
