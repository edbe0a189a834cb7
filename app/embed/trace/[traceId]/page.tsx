import { TraceView } from '../../../../components/trace/TraceView';
import { XrayProviders } from '../../../../components/XrayProviders';

/** The trace widget for iframes: no app chrome; the server has already checked the embed token. */
export default async function EmbedTracePage({ params, searchParams }: { params: Promise<{ traceId: string }>; searchParams: Promise<{ token?: string }> }) {
  const { traceId } = await params;
  const { token } = await searchParams;
  return (
    <XrayProviders embedToken={token ?? null} overview={false}>
      <main className="embed">
        <TraceView traceId={traceId.toLowerCase()} />
      </main>
    </XrayProviders>
  );
}
