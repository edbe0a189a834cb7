import { SessionView } from '../../../../components/sessions/SessionView';

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
    <main className="content">
      <SessionView sessionId={decode(sessionId)} />
    </main>
  );
}
