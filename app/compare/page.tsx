import { TopBar } from '../../components/TopBar';
import { CompareView } from '../../components/compare/CompareView';
import { XrayProviders } from '../../components/XrayProviders';

/** `/compare?a=<traceId>&b=<traceId>`: two traces side by side, aligned by structure. */
export default async function ComparePage({ searchParams }: { searchParams: Promise<{ a?: string; b?: string }> }) {
  const { a, b } = await searchParams;
  return (
    <XrayProviders overview={false}>
      <div className="shell">
        <TopBar />
        <main className="content compare-main">
          <CompareView a={(a ?? '').toLowerCase()} b={(b ?? '').toLowerCase()} />
        </main>
      </div>
    </XrayProviders>
  );
}
