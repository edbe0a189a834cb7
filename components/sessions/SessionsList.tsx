'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { sessionsQuery } from '../../lib/client/queries';

export const sessionHref = (id: string) => `/session/${encodeURIComponent(id)}`;

/** Conversations, most recently active first: each opens its timeline of traces. */
export function SessionsList() {
  const [text, setText] = useState('');
  const q = useQuery(sessionsQuery(text.trim() || undefined));
  return (
    <section className="traces-page" aria-label="sessions">
      <div className="toolbar">
        <h1 className="page-title">Sessions</h1>
        <input aria-label="Search sessions" placeholder="Session id" value={text} onChange={(e) => setText(e.target.value)} className="search" />
      </div>
      {q.isPending ? <p className="placeholder">Loading sessions…</p> : null}
      {q.isError ? (
        <p className="placeholder error-text" role="alert" data-testid="sessions-error">
          Could not load sessions: {q.error.message}
        </p>
      ) : null}
      {q.data && q.data.sessions.length === 0 ? (
        <div className="placeholder" data-testid="sessions-empty">
          <p>{text.trim() ? 'No sessions match.' : 'No sessions yet.'}</p>
          <p className="muted small">
            A trace joins a session when it names a conversation: <code>gen_ai.conversation.id</code>, <code>session.id</code>, AI SDK metadata <code>sessionId</code>, or <code>session</code> on a relay call.
          </p>
        </div>
      ) : null}
      {q.data && q.data.sessions.length > 0 ? (
        <table className="agents" aria-label="sessions">
          <thead>
            <tr>
              <th>session</th>
              <th>last active</th>
              <th className="num">span</th>
              <th className="num">traces</th>
              <th>agents</th>
            </tr>
          </thead>
          <tbody>
            {q.data.sessions.map((s) => (
              <tr key={s.session_id} data-testid="session-row">
                <td>
                  <Link href={sessionHref(s.session_id)}>
                    <code>{s.session_id}</code>
                  </Link>
                </td>
                <td>{new Date(s.last_ts).toLocaleString()}</td>
                <td className="num">{Math.round((s.last_ts - s.first_ts) / 1000)} s</td>
                <td className="num">{s.traces}</td>
                <td className="muted small">{s.agents.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
