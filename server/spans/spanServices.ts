/**
 * Composition of the telemetry read-back: the span index (fed by committed events, in seq
 * order, after the relay's own listeners), span watches (SSE and agent WebSocket) and
 * evidence gates, and their routes. Created by the data plane; one hook there, one field on the relay.
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
import { GateRegistry } from '../gates/gateRegistry';
import { GateService } from '../gates/gateService';
import { createGateRoutes } from '../gates/gateRoutes';

export interface SpanServices {
  index: SpanIndex;
  watches: SpanWatchHub;
  gates: GateService;
  routes: Record<string, RestRoute>;
  matchRoute: (method: string, path: string) => RestRoute | undefined;
  close(): void;
}

export function startSpanServices(config: XrayConfig, log: EventLog, writer: LogWriter, relay: Relay): SpanServices {
  const registry = new GateRegistry(config.gatesFile); // first: a bad gate file stops start-up before anything opens
  const index = SpanIndex.open(config.dataDir);
  index.catchUp(log);
  // The index is derived: a failure here (disk full, a corrupted spans.db page) must never
  // reach the writer's commit path, whose acks other listeners and agents wait on. The index
  // stops following live commits, says so, and catches up from the log until it succeeds.
  let retry: NodeJS.Timeout | null = null;
  const recover = () => {
    retry = null;
    try {
      index.catchUp(log);
      console.log(`[spans] index recovered at seq ${index.head}`);
    } catch (err) {
      console.error(`[spans] index still failing: ${(err as Error).message}`);
      retry = setTimeout(recover, 5000);
      retry.unref();
    }
  };
  writer.onCommit((events) => {
    if (retry) return; // behind: the recovery reads these from the log
    try {
      index.apply(events);
    } catch (err) {
      console.error(`[spans] index update failed, catching up from the log: ${(err as Error).message}`);
      retry = setTimeout(recover, 1000);
      retry.unref();
    }
  });
  const watches = new SpanWatchHub(index);
  relay.spanWatches = new AgentSpanWatches(watches);
  const gates = new GateService(registry, index, writer, relay.now);
  const gateRoutes = createGateRoutes(gates);
  return {
    index,
    watches,
    gates,
    routes: { ...createSpanRoutes(index, watches), ...gateRoutes.routes },
    matchRoute: gateRoutes.match,
    close() {
      if (retry) clearTimeout(retry);
      registry.close();
      index.close();
    },
  };
}
