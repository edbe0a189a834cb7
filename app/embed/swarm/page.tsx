import { SwarmGraph } from '../../../components/graph/SwarmGraph';
import { GraphNodeList } from '../../../components/GraphNodeList';
import { StatusBar } from '../../../components/StatusBar';
import { XrayProviders } from '../../../components/XrayProviders';

/** The live swarm graph for iframes: no app chrome; the server has already checked the embed token. */
export default async function EmbedSwarmPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  return (
    <XrayProviders embedToken={token ?? null}>
      <div className="shell embed">
        <main className="stage-body">
          <SwarmGraph />
        </main>
        <GraphNodeList />
        <StatusBar />
      </div>
    </XrayProviders>
  );
}
