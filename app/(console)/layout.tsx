import type { ReactNode } from 'react';
import { ConnectionBanner } from '../../components/ConnectionBanner';
import { TopBar } from '../../components/TopBar';
import { XrayProviders } from '../../components/XrayProviders';

/**
 * The console pages (traces, a trace, sessions, gates, alerts, compare) share one set of
 * providers and one chrome: moving between them keeps the tab's live socket, its query cache
 * and the top bar mounted, so opening a trace from the list renders only the trace, instead of
 * tearing down and reconnecting everything (a new socket, the top bar's reads again).
 */
export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <XrayProviders overview={false}>
      <div className="shell">
        <TopBar />
        <ConnectionBanner />
        {children}
      </div>
    </XrayProviders>
  );
}
