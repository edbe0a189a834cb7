import { TopBar } from '../../../components/TopBar';
import { SessionView } from '../../../components/sessions/SessionView';
import { XrayProviders } from '../../../components/XrayProviders';

/** Route params arrive percent-encoded; a malformed escape is shown as typed rather than crashing the page. */
function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export default async function SessionPage({ params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId } = await params;
  return (
    <XrayProviders overview={false}>
      <div className="shell">
        <TopBar />
        <main className="content">
          <SessionView sessionId={decode(sessionId)} />
        </main>
      </div>
    </XrayProviders>
  );
}
