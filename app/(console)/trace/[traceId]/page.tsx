import { TraceView } from '../../../../components/trace/TraceView';

export default async function TracePage({ params }: { params: Promise<{ traceId: string }> }) {
  const { traceId } = await params;
  const id = traceId.toLowerCase();
  return <main className="content trace-main">{/^[0-9a-f]{32}$/.test(id) ? <TraceView traceId={id} /> : <p className="placeholder" role="alert">“{traceId}” is not a trace id (32 hex digits).</p>}</main>;
}
