/**
 * Composition of the telemetry read-back: the span index (fed by committed events, in seq
 * order, after the relay's own listeners), span watches (SSE and agent WebSocket) and
 * their routes. Created by the data plane; one hook there, one field on the relay.
 */
import type { XrayConfig } from '../config';
import type { Relay } from '../relay/relay';
import type { RestRoute } from '../relay/relayServer';
import type { EventLog } from '../store/eventLog';
import type { LogWriter } from '../store/logWriter';
import { AgentSpanWatches } from './agentSpanWatches';
import { SpanIndex } from './spanIndex';
import { createSpanRoutes } from './spanRoutes';
import { SpanWatchHub } from './spanWatchHub';

export interface SpanServices {
  index: SpanIndex;
  watches: SpanWatchHub;
  routes: Record<string, RestRoute>;
  close(): void;
}

export function startSpanServices(config: XrayConfig, log: EventLog, writer: LogWriter, relay: Relay): SpanServices {
  const index = SpanIndex.open(config.dataDir);
  index.catchUp(log);
  writer.onCommit((events) => index.apply(events));
  const watches = new SpanWatchHub(index);
  relay.spanWatches = new AgentSpanWatches(watches);
  const routes = { ...createSpanRoutes(index, watches) };
  return {
    index,
    watches,
    routes,
    close() {
      index.close();
    },
  };
}
