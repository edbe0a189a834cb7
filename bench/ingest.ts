/**
 * 1. Ingest: tokens/s committed to the log from N agents over the relay WebSocket (single
 * frames, batched), beside a bare `ws` server that only counts messages — the ceiling on this
 * machine in this run. 6. Durability cost: the same with acked frames.
 */
import type { LoadConfig } from './loadgen';
import { start, sleep, type XrayProc } from './procs';
import { median, round, sustainedRate } from './stats';

async function sampled(loadCfg: LoadConfig, read: () => Promise<number>): Promise<number> {
  const gen = start(['bench/loadgen.ts', JSON.stringify(loadCfg)]);
  await gen.line((l) => l === 'sending', 120_000);
  const samples: [number, number][] = [];
  let done = false;
  const finished = gen.line((l) => l.startsWith('{'), (loadCfg.seconds + 120) * 1000).then(() => (done = true));
  while (!done) {
    samples.push([Date.now(), await read()]);
    await Promise.race([sleep(250), finished]);
  }
  await gen.stop();
  // Let the server absorb what is still in flight before the next run (bounded wait).
  for (let last = -1, i = 0; i < 120; i++) {
    const now = await read();
    if (now === last) break;
    last = now;
    await sleep(250);
  }
  return sustainedRate(samples);
}

export interface IngestParams {
  agents: number;
  seconds: number;
  repeats: number;
  batch: number;
}

export async function benchIngest(x: XrayProc, bareWsPort: number, p: IngestParams) {
  const base = { url: `ws://127.0.0.1:${x.relayPort}/ws`, agents: p.agents, seconds: p.seconds, rate: 0, stamp: false } as const;
  const committed = () => x.metric('xray_events_committed_total');
  const modes = [
    { name: 'single', batch: 1, ack: false },
    { name: 'batched', batch: p.batch, ack: false },
    { name: 'single_acked', batch: 1, ack: true },
    { name: 'batched_acked', batch: p.batch, ack: true },
  ];
  const rates: Record<string, number[]> = {};
  for (let r = 0; r < p.repeats; r++) {
    for (const m of modes) {
      (rates[m.name] ??= []).push(await sampled({ ...base, namePrefix: `ing-${m.name}-${r}`, batch: m.batch, ack: m.ack }, committed));
      await sleep(500);
    }
  }
  // The ceiling: the same generator against a server that only counts messages.
  const bare = start(['bench/bareWs.ts', String(bareWsPort)]);
  await bare.line((l) => l === 'ready');
  const ceiling: number[] = [];
  for (let r = 0; r < p.repeats; r++) {
    const read = async () => {
      const line = bare.line((l) => l.startsWith('{'));
      bare.child.kill('SIGUSR2');
      return (JSON.parse(await line) as { messages: number }).messages;
    };
    ceiling.push(await sampled({ ...base, url: `ws://127.0.0.1:${bareWsPort}`, namePrefix: `bare-${r}`, batch: 1, ack: false, bare: true }, read));
  }
  await bare.stop();
  const med = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, round(median(v), 0)]));
  const ceilingMedian = round(median(ceiling), 0);
  return {
    agents: p.agents,
    tokens_per_s: med,
    bare_ws_ceiling_msgs_per_s: ceilingMedian,
    single_vs_ceiling: round(med.single / ceilingMedian, 3),
    durability_cost: { single_acked_vs_unacked: round(med.single_acked / med.single, 3), batched_acked_vs_unacked: round(med.batched_acked / med.batched, 3) },
    runs: { ...rates, ceiling },
  };
}
