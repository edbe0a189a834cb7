'use client';
import { useEffect, useMemo, useRef } from 'react';
import { STATUS_CODES } from '../lib/protocol/dashboard';
import type { AgentStatus } from '../lib/model/swarmModel';
import { useXray, useXrayStoreApi } from './XrayProviders';

/** Search (`/` focuses it, Enter selects the first match, Esc clears), state and topic filters, grouping. */
export function GraphToolbar() {
  const store = useXrayStoreApi();
  const search = useXray((s) => s.search);
  const stateFilter = useXray((s) => s.stateFilter);
  const topicFilter = useXray((s) => s.topicFilter);
  const grouping = useXray((s) => s.grouping);
  const edges = useXray((s) => s.overview.edges);
  const topics = useMemo(() => [...new Set([...edges.values()].filter((e) => e.kind === 'topic').map((e) => e.from))].sort(), [edges]);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
      if (e.key === '/' && !typing) {
        e.preventDefault();
        input.current?.focus();
      } else if (e.key === 'Escape') {
        store.getState().select(null);
        store.getState().setView({ search: '' });
        input.current?.blur();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);

  const toggleState = (s: AgentStatus) => {
    const next = stateFilter.includes(s) ? stateFilter.filter((x) => x !== s) : [...stateFilter, s];
    store.getState().setView({ stateFilter: next });
  };

  return (
    <div className="toolbar" role="toolbar" aria-label="graph filters">
      <input
        ref={input}
        className="search"
        type="search"
        placeholder="Search agents  ( / )"
        aria-label="Search agents"
        value={search}
        onChange={(e) => store.getState().setView({ search: e.target.value })}
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return;
          const q = search.trim().toLowerCase();
          const hit = [...store.getState().overview.agents.keys()].sort().find((n) => n.toLowerCase().includes(q));
          if (hit) store.getState().select(hit);
        }}
      />
      <div className="chips" aria-label="filter by state">
        {STATUS_CODES.map((s) => (
          <button key={s} type="button" className={`chip state-${s}`} aria-pressed={stateFilter.includes(s)} onClick={() => toggleState(s)}>
            {s}
          </button>
        ))}
      </div>
      <select aria-label="Filter by topic" value={topicFilter ?? ''} onChange={(e) => store.getState().setView({ topicFilter: e.target.value || null })}>
        <option value="">all topics</option>
        {topics.map((t) => (
          <option key={t} value={t}>
            #{t}
          </option>
        ))}
      </select>
      <select aria-label="Group agents" value={grouping} onChange={(e) => store.getState().setView({ grouping: e.target.value as 'auto' | 'always' | 'never' })}>
        <option value="auto">group when &gt; 300</option>
        <option value="always">group by prefix</option>
        <option value="never">never group</option>
      </select>
    </div>
  );
}
