'use client';
import { useMemo } from 'react';
import { useXray } from './XrayProviders';

/** The connected agents and their live counters: the first proof that the path works end to end. */
export function AgentTable() {
  const seq = useXray((s) => s.overview.seq);
  const select = useXray((s) => s.select);
  const agentsById = useXray((s) => s.overview.agents);
  const agents = useMemo(() => [...agentsById.values()].sort((a, b) => Number(b.connected) - Number(a.connected) || a.name.localeCompare(b.name)), [agentsById]);
  if (seq < 0 || agents.length === 0) return null; // the view shows the loading / empty state
  return (
    <table className="agents" aria-label="agents">
      <thead>
        <tr>
          <th>agent</th>
          <th>state</th>
          <th>load</th>
          <th className="num">calls in</th>
          <th className="num">calls out</th>
          <th className="num">tokens</th>
          <th className="num">errors</th>
          <th>latest text</th>
        </tr>
      </thead>
      <tbody>
        {agents.map((a) => (
          <tr key={a.name} data-testid="agent-row" data-agent={a.name} data-status={a.status} onClick={() => select(a.name)}>
            <td className="name">{a.name}</td>
            <td>
              <span className={`state state-${a.status}`}>{a.status}</span>
            </td>
            <td>{a.load ? `${a.load.active}/${a.load.max}` : '—'}</td>
            <td className="num">{a.callsIn}</td>
            <td className="num">{a.callsOut}</td>
            <td className="num">{a.tokens}</td>
            <td className="num" title={a.lastError ?? undefined}>
              {a.errors}
            </td>
            <td className="text">{a.textTail}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
