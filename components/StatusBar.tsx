'use client';
import { useXray } from './XrayProviders';

const LABEL = { connecting: 'connecting…', live: 'live', lost: 'reconnecting…', unauthorized: 'not logged in' } as const;

/** Connection state, throughput and the no-loss proof (seq contiguity) at a glance. */
export function StatusBar() {
  const status = useXray((s) => s.status);
  const seq = useXray((s) => s.overview.seq);
  const totals = useXray((s) => s.overview.totals);
  const rates = useXray((s) => s.overview.rates);
  const gaps = useXray((s) => s.overview.gaps);
  return (
    <footer className="statusbar" aria-label="status">
      <span className={`dot dot-${status}`} aria-hidden />
      <span data-testid="connection-status">{LABEL[status]}</span>
      <span>
        seq <b data-testid="seq">{seq < 0 ? '—' : seq}</b>
      </span>
      <span>
        events <b data-testid="event-count">{totals.events}</b> ({rates.eventsPerSec}/s)
      </span>
      <span>
        tokens <b>{totals.tokens}</b> ({rates.tokensPerSec}/s)
      </span>
      <span>
        calls <b>{totals.calls}</b>
      </span>
      <span>
        errors <b>{totals.errors}</b>
      </span>
      <span title="Deltas arrive with contiguous seq ranges; a gap would be counted here and healed by a resync.">
        seq gaps <b data-testid="gaps">{gaps}</b>
      </span>
    </footer>
  );
}
