import { ConnectionBanner } from '../../components/ConnectionBanner';
import { GatesView } from '../../components/gates/GatesView';
import { TopBar } from '../../components/TopBar';
import { XrayProviders } from '../../components/XrayProviders';

export default function GatesPage() {
  return (
    <XrayProviders overview={false}>
      <div className="shell">
        <TopBar />
        <ConnectionBanner />
        <main className="content">
          <GatesView />
        </main>
      </div>
    </XrayProviders>
  );
}
