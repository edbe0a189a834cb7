import { AgentTable } from '../components/AgentTable';
import { ConnectionBanner } from '../components/ConnectionBanner';
import { StatusBar } from '../components/StatusBar';
import { XrayProviders } from '../components/XrayProviders';

export default function SwarmPage() {
  return (
    <XrayProviders>
      <div className="shell">
        <header className="topbar">
          <h1>
            Swarm <span className="accent">X-Ray</span>
          </h1>
        </header>
        <ConnectionBanner />
        <main className="content">
          <AgentTable />
        </main>
        <StatusBar />
      </div>
    </XrayProviders>
  );
}
