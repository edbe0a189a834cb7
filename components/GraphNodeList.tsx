'use client';
import { useEffect, useMemo, useRef, useState } from 'react';
import { graphOf } from '../lib/graph/graphMemo';
import { useXray, useXrayStoreApi } from './XrayProviders';

/**
 * The accessible mirror of the canvas: every node the graph draws, as a list a screen reader
 * (and a test) can read and a keyboard can use. Rebuilt from the store at React speed, never
 * per animation frame.
 */
export function GraphNodeList() {
  const store = useXrayStoreApi();
  const agents = useXray((s) => s.overview.agents);
  const edges = useXray((s) => s.overview.edges);
  const stateFilter = useXray((s) => s.stateFilter);
  const topicFilter = useXray((s) => s.topicFilter);
  const grouping = useXray((s) => s.grouping);
  const selected = useXray((s) => s.selectedAgent);
  // The items are rendered only while the list is open: thousands of hidden rows would cost every update.
  const [open, setOpen] = useState(false);
  // The summary is server-rendered, so it can be clicked before hydration: the browser opens the
  // <details> but the toggle event fires before React listens. Read the element's state once mounted.
  const detailsRef = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (detailsRef.current?.open) setOpen(true);
  }, []);
  // The same graph object the canvas drew (graphOf), so this costs no second build per delta.
  const nodes = useMemo(() => graphOf({ agents, edges, stateFilter, topicFilter, grouping }).nodes.filter((n) => n.kind !== 'topic'), [agents, edges, stateFilter, topicFilter, grouping]);
  // Sorting thousands of labels is only worth it while someone reads the list.
  const sorted = useMemo(() => (open ? [...nodes].sort((a, b) => a.label.localeCompare(b.label)) : []), [nodes, open]);
  return (
    <details ref={detailsRef} className="node-list" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>
        {nodes.length} node{nodes.length === 1 ? '' : 's'} in the graph (list view)
      </summary>
      <ul aria-label="agents in the graph">
        {sorted.map((n) => (
          <li key={n.id} data-testid="graph-node" data-node={n.id} data-status={n.status} data-errors={n.errors}>
            <button type="button" aria-current={selected === n.id} onClick={() => n.kind === 'agent' && store.getState().select(n.id)}>
              <span className={`state state-${n.status}`}>{n.status}</span> {n.label}
              {n.kind === 'group' ? ` (${n.members})` : ''} · {n.tokens} tokens · {n.errors} errors
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}
