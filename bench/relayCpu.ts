/**
 * CPU cost of ingest inside the process, per token: `Relay.handleMessage` → `LogWriter` →
 * SQLite file log (with the server's WAL checkpointer), no sockets, no commit listeners but
 * the live swarm model with `--model`.
 * CPU time (process.cpuUsage), not wall time, so the figure holds on a loaded machine where
 * throughput does not. `--root DIR` measures another checkout (a worktree of an older commit)
 * with the same harness, for before/after in one sitting:
 *
 *   node --import tsx bench/relayCpu.ts [--batch 50] [--ack] [--tokens 200000] [--writer inline|thread]
 *     [--agents 100] [--trace] [--minted] [--model] [--budget 10] [--root ../old]
 *
 * `--agents`: senders the tokens are spread over (each its own idempotency scope; the networked
 * bench uses 1,000). `--trace`: every token names one trace, so the trace index, the text index
 * and the rollup run as in the latency section. `--budget`: the writer's commit budget in ms.
 * Runs the sources through tsx, whose keepNames helper costs about 1–2 µs per token that the
 * production bundle does not pay: compare figures of this harness with each other only.
 *
 * Prints one JSON line: cpu_us_per_token (the whole process, every thread), loop_us_per_token
 * (the event loop's busy time), tokens_per_s (wall, indicative only), events_per_commit (how
 * the writer sized its transactions to its budget).
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const root = path.resolve(arg('root', path.join(import.meta.dirname, '..')));
const batch = Number(arg('batch', '1'));
const tokens = Number(arg('tokens', '200000'));
const ack = process.argv.includes('--ack');
const storeWriter = arg('writer', 'inline') as 'inline' | 'thread';
const agentCount = Number(arg('agents', '100'));
const commitBudgetMs = Number(arg('budget', '10'));
/** `--trace`: every token names one trace (as the latency section's do), so the trace index, the text index and the rollup run too. */
const traceId = process.argv.includes('--trace') ? 'ab'.repeat(16) : undefined;
/** `--model`: the live swarm model follows the commits, as the server's observation plane does. */
const withModel = process.argv.includes('--model');
/** `--minted`: frames carry no id, so the relay mints one (as for the seed's workers), in the log's unscoped key space. */
const minted = process.argv.includes('--minted');
const load = (rel: string) => import(pathToFileURL(path.join(root, rel)).href);

async function main(): Promise<void> {
  const { LogWriter } = await load('server/store/logWriter.ts');
  const { SqliteEventLog } = await load('server/store/sqliteEventLog.ts');
  const { WalCheckpointer } = await load('server/store/walCheckpointer.ts');
  const { TestSocketPair } = await load('server/testing/testSocketPair.ts');
  const { Relay } = await load('server/relay/relay.ts');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-relaycpu-'));
  const log = SqliteEventLog.open(dir, { writer: storeWriter });
  // As the server's data plane (dataPlane.ts): checkpoints in a worker, the writer's own only past 10k pages.
  const checkpointer = new WalCheckpointer(log.file, 500);
  log.setAutoCheckpoint?.(10_000);
  const writer = await LogWriter.open(log, { commitBudgetMs });
  if (withModel) {
    const { createSwarmModel, applyEvents } = await load('lib/model/swarmModel.ts');
    const model = createSwarmModel();
    writer.onCommit((events: unknown[]) => applyEvents(model, events));
  }
  const relay = new Relay(writer, { rateLimit: { perSecond: 1e9, burst: 1e9 } });
  const agents = Array.from({ length: agentCount }, (_, i) => TestSocketPair.register(relay, `agent-${i}`));
  await new Promise((r) => setTimeout(r, 100)); // the registrations commit
  let seq = 0;
  const frame = () => ({ type: 'token', ...(minted ? {} : { id: `t-${seq}` }), text: ` tok${seq++}`, ...(traceId ? { trace_id: traceId } : {}) });
  const messages: string[] = [];
  for (let i = 0; i < tokens / batch; i++) {
    messages.push(JSON.stringify(batch === 1 ? { ...frame(), ...(ack ? { ack: true } : {}) } : { type: 'frames', frames: Array.from({ length: batch }, frame), ...(ack ? { ack: true } : {}) }));
  }
  const target = writer.stats.committed + tokens;
  const batches0 = writer.stats.batches;
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  let next = 0;
  await new Promise<void>((resolve) => {
    // As the transport does: deliver while the writer is under its high-water mark, then yield.
    // Over the mark it waits for the writer's drain (not a setImmediate spin, which would count as
    // loop time while a writer thread commits); the last check waits for the final commit the same way.
    const pump = () => {
      while (next < messages.length && !writer.overloaded) agents[next % agents.length].send(messages[next++]);
      if (writer.stats.committed >= target) return resolve();
      if (writer.overloaded) return;
      setTimeout(pump, next < messages.length ? 0 : 1);
    };
    writer.onDrain(pump);
    pump();
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  // The event loop's own busy time: with --writer thread, cpu_us_per_token also counts the writer thread.
  const loopMs = performance.eventLoopUtilization(elu0).active;
  console.log(JSON.stringify({ root, batch, ack, writer: storeWriter, tokens, cpu_us_per_token: +((cpu.user + cpu.system) / tokens).toFixed(2), loop_us_per_token: +((loopMs * 1000) / tokens).toFixed(2), tokens_per_s: Math.round((tokens / wallMs) * 1000), events_per_commit: Math.round(tokens / Math.max(1, writer.stats.batches - batches0)) }));
  await writer.close();
  checkpointer.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

void main();
