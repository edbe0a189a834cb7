import { SpanQuery } from '../../../components/SpanQuery';
import { TracesList } from '../../../components/TracesList';

export default function TracesPage() {
  return (
    <main className="content">
      <SpanQuery />
      <TracesList />
    </main>
  );
}
