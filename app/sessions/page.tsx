import { TopBar } from '../../components/TopBar';
import { SessionsList } from '../../components/sessions/SessionsList';
import { XrayProviders } from '../../components/XrayProviders';

export default function SessionsPage() {
  return (
    <XrayProviders overview={false}>
      <div className="shell">
        <TopBar />
        <main className="content">
          <SessionsList />
        </main>
      </div>
    </XrayProviders>
  );
}
