import { AlertsView } from '../../components/alerts/AlertsView';
import { TopBar } from '../../components/TopBar';
import { XrayProviders } from '../../components/XrayProviders';

export default function AlertsPage() {
  return (
    <XrayProviders overview={false}>
      <div className="shell">
        <TopBar />
        <main className="content">
          <AlertsView />
        </main>
      </div>
    </XrayProviders>
  );
}
