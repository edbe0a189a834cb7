import { SwarmView } from '../components/SwarmView';
import { XrayProviders } from '../components/XrayProviders';

export default function SwarmPage() {
  return (
    <XrayProviders>
      <SwarmView />
    </XrayProviders>
  );
}
