import { TopBar } from '../../components/TopBar';
import { TracesList } from '../../components/TracesList';
import { XrayProviders } from '../../components/XrayProviders';

export default function TracesPage() {
  return (
    <XrayProviders overview={false}>
      <div className="shell">
        <TopBar />
        <main className="content">
          <TracesList />
        </main>
      </div>
    </XrayProviders>
  );
}
