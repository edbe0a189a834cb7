import { CompareView } from '../../../components/compare/CompareView';

/** `/compare?a=<traceId>&b=<traceId>`: two traces side by side, aligned by structure. */
export default async function ComparePage({ searchParams }: { searchParams: Promise<{ a?: string; b?: string }> }) {
  const { a, b } = await searchParams;
  return (
    <main className="content compare-main">
      <CompareView a={(a ?? '').toLowerCase()} b={(b ?? '').toLowerCase()} />
    </main>
  );
}
