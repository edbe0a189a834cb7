import { TopBar } from '../../components/TopBar';
import { SpanQuery } from '../../components/SpanQuery';
import { TracesList } from '../../components/TracesList';
import { XrayProviders } from '../../components/XrayProviders';

export default function TracesPage() {
  return (
    <XrayProviders overview={false}>
      <div className="shell">
        <TopBar />
        <main className="content">
          <SpanQuery />
          <TracesList />
        </main>
      </div>
    </XrayProviders>
  );
}
