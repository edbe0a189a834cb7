/**
 * Composition of the telemetry read-back: the span index (fed by committed events, in seq
 * order, after the relay's own listeners), span watches (SSE and agent WebSocket) and
 * evidence gates, and their routes. Created by the data plane; one hook there, one field on the relay.
 */
import type { XrayConfig } from '../config';
import type { Relay } from '../relay/relay';
import type { RestRoute } from '../http/restRoute';
import type { EventLog } from '../store/eventLog';
import type { LogWriter } from '../store/logWriter';
import { AgentSpanWatches } from './agentSpanWatches';
import { IndexFeeder } from './indexFeeder';
import { SpanIndex } from './spanIndex';
import { createSpanRoutes } from './spanRoutes';
import { SpanWatchHub } from './spanWatchHub';
import { GateRegistry } from '../gates/gateRegistry';
import { GateService } from '../gates/gateService';
import { createGateRoutes } from '../gates/gateRoutes';

export interface SpanServices {
  index: SpanIndex;
  feeder: IndexFeeder;
  watches: SpanWatchHub;
  gates: GateService;
  routes: Record<string, RestRoute>;
  matchRoute: (method: string, path: string) => RestRoute | undefined;
  close(): void;
}

export async function startSpanServices(config: XrayConfig, log: EventLog, writer: LogWriter, relay: Relay): Promise<SpanServices> {
  const registry = new GateRegistry(config.gatesFile); // first: a bad gate file stops start-up before anything opens
  const index = SpanIndex.open(config.dataDir);
  try {
    await index.catchUp(log);
  } catch (err) {
    // A damaged log must not keep the server down (G8): the store has marked itself corrupt and
    // says so; the index stays at what it had and answers from there.
    console.error(`[spans] could not bring the span index up to date from the log: ${(err as Error).message}`);
  }
  // Everything committed up to the writer's head is in the log the catch-up read; the feeder takes the rest.
  const feeder = new IndexFeeder(index, log, writer.head());
  writer.onCommit((events) => feeder.onCommit(events));
  const watches = new SpanWatchHub(index);
  relay.spanWatches = new AgentSpanWatches(watches);
  const gates = new GateService(registry, index, writer, relay.now, () => feeder.settled());
  const gateRoutes = createGateRoutes(gates);
  return {
    index,
    feeder,
    watches,
    gates,
    routes: { ...createSpanRoutes(index, watches, feeder, relay.peers.sse), ...gateRoutes.routes },
    matchRoute: gateRoutes.match,
    close() {
      feeder.close();
      registry.close();
      index.close();
    },
  };
}
