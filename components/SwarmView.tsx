'use client';
import { useState } from 'react';
import { AgentInspector } from './AgentInspector';
import { AgentTable } from './AgentTable';
import { ConnectionBanner } from './ConnectionBanner';
import { GraphNodeList } from './GraphNodeList';
import { GraphToolbar } from './GraphToolbar';
import { SwarmGraph } from './graph/SwarmGraph';
import { ShareDialog } from './ShareDialog';
import { StatusBar } from './StatusBar';
import { TokenStreams } from './TokenStreams';
import { TopBar } from './TopBar';
import { useXray } from './XrayProviders';

/** The page admins live in: the live graph, the selected agent's inspector and token stream, the status bar. */
export function SwarmView() {
  const selected = useXray((s) => s.selectedAgent);
  const seq = useXray((s) => s.overview.seq);
  const count = useXray((s) => s.overview.agents.size);
  const [tab, setTab] = useState<'graph' | 'table'>('graph');
  return (
    <div className="shell">
      <TopBar />
      <ConnectionBanner />
      <main className="swarm">
        <section className="stage">
          <div className="stage-head">
            <div className="tabs" role="tablist">
              <button role="tab" aria-selected={tab === 'graph'} onClick={() => setTab('graph')}>
                Graph
              </button>
              <button role="tab" aria-selected={tab === 'table'} onClick={() => setTab('table')}>
                Table
              </button>
            </div>
            <GraphToolbar />
            <div className="spacer" />
            <ShareDialog scope="swarm" title="the live swarm graph" />
          </div>
          {seq < 0 ? <p className="placeholder">Connecting to the swarm…</p> : null}
          {seq >= 0 && count === 0 ? (
            <p className="placeholder" data-testid="no-agents">
              No agents yet. Connect one to <code>ws://localhost:9002/ws</code> or run <code>npm run demo</code>.
            </p>
          ) : null}
          <div className="stage-body" hidden={tab !== 'graph' || count === 0}>
            <SwarmGraph />
          </div>
          {tab === 'table' ? <AgentTable /> : null}
          <GraphNodeList />
        </section>
        <aside className="side">
          {selected ? (
            <>
              <AgentInspector agent={selected} />
              <TokenStreams agent={selected} />
            </>
          ) : (
            <p className="placeholder">Select an agent in the graph (or press / to search) to see its live token stream and details.</p>
          )}
        </aside>
      </main>
      <StatusBar />
    </div>
  );
}
