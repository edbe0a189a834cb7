/**
 * A simulated swarm in the seed's style, speaking the real relay protocol through the SDK:
 * one orchestrator and N workers. Workers announce themselves on `swarm.announce`, report
 * load on `swarm.health`, stream fake LLM tokens inside spans, sometimes ask a peer for a
 * lookup (a nested call in the same trace), and occasionally fail or hang past the timeout.
 */
import { mintTraceId } from '../lib/protocol/ids';
import { XrayAgent, type CallContext } from '../lib/sdk/xrayAgent';
import { DemoRelease } from './demoRelease';

export interface DemoOptions {
  relayUrl: string;
  workers?: number;
  /** Milliseconds between tasks dispatched by the orchestrator. */
  taskIntervalMs?: number;
  /** Probability that a task fails / hangs past its timeout. */
  errorRate?: number;
  timeoutRate?: number;
  tokenDelayMs?: [number, number];
  callTimeoutMs?: number;
  /** Run the release flow (security scanner + evidence gate); needs the security_scan gate (scripts/demo-gates.yaml). */
  releases?: boolean;
  releaseIntervalMs?: number;
  log?: (line: string) => void;
}

const WORDS = (
  'the swarm splits the document into sections then each worker reads its part extracts the entities ' +
  'checks them against the index and writes a short summary with citations while the orchestrator ' +
  'merges partial answers ranks them by confidence and asks a peer when a fact looks uncertain'
).split(' ');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = ([lo, hi]: [number, number]) => lo + Math.random() * (hi - lo);

async function streamWords(count: number, delay: [number, number], emit: (t: string) => Promise<void>): Promise<string> {
  let text = '';
  for (let i = 0; i < count; i++) {
    const word = WORDS[Math.floor(Math.random() * WORDS.length)];
    const token = (i === 0 ? '' : ' ') + word;
    text += token;
    await emit(token);
    await sleep(between(delay));
  }
  return text;
}

export class DemoSwarm {
  private readonly agents: XrayAgent[] = [];
  private readonly load = new Map<string, number>();
  private readonly known = new Set<string>();
  private running = true;
  private timers: NodeJS.Timeout[] = [];
  private release: DemoRelease | null = null;
  readonly stats = { dispatched: 0, ok: 0, failed: 0 };

  constructor(private readonly o: DemoOptions) {}

  async start(): Promise<void> {
    const n = this.o.workers ?? 8;
    for (let i = 1; i <= n; i++) this.agents.push(this.startWorker(`worker-${i}.relay`));
    const orchestrator = XrayAgent.connect({ url: this.o.relayUrl, name: 'orchestrator.relay', capabilities: ['plan', 'merge'] });
    this.agents.push(orchestrator);
    orchestrator.subscribe('swarm.announce', (payload) => this.discover((JSON.parse(payload) as { name: string }).name));
    orchestrator.subscribe('swarm.health', (payload) => {
      const { name, activeTasks } = JSON.parse(payload) as { name: string; activeTasks: number };
      // Workers that announced before we subscribed are found by their periodic health reports.
      this.discover(name);
      this.load.set(name, activeTasks);
    });
    await Promise.all(this.agents.map((a) => a.ready()));
    this.loop(orchestrator);
    if (this.o.releases) {
      this.release = new DemoRelease(orchestrator, { relayUrl: this.o.relayUrl, intervalMs: this.o.releaseIntervalMs, log: this.o.log });
      await this.release.start();
    }
  }

  private discover(name: string): void {
    if (this.known.has(name)) return;
    this.known.add(name);
    this.o.log?.(`discovered worker: ${name}`);
  }

  private startWorker(name: string): XrayAgent {
    const agent = XrayAgent.connect({ url: this.o.relayUrl, name, capabilities: ['process', 'lookup'] });
    let active = 0;
    const health = () => agent.broadcast('swarm.health', JSON.stringify({ name, activeTasks: active, maxTasks: 10 })).catch(() => undefined);
    agent.on('ready', () => {
      void agent.broadcast('swarm.announce', JSON.stringify({ name, capabilities: ['process', 'lookup'] })).catch(() => undefined);
      void health();
    });
    const t = setInterval(health, 2000);
    t.unref();
    this.timers.push(t);

    agent.handle('process', async (payload, call) => {
      active++;
      try {
        return await this.process(name, JSON.parse(payload) as { id: string; data: string }, call);
      } finally {
        active--;
      }
    });
    agent.handle('lookup', async (payload, call) => {
      const words = await call.span('retrieval', (span) => streamWords(6 + Math.floor(Math.random() * 8), this.o.tokenDelayMs ?? [15, 40], span.token), {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'index.search',
      });
      return JSON.stringify({ query: payload, hits: words.split(' ').slice(0, 3) });
    });
    return agent;
  }

  private async process(name: string, task: { id: string; data: string }, call: CallContext): Promise<string> {
    const delay = this.o.tokenDelayMs ?? [20, 60];
    const roll = Math.random();
    if (roll < (this.o.timeoutRate ?? 0.03)) {
      // A hung model: never answers within the caller's timeout.
      await call.token('waiting for the model…');
      await sleep((this.o.callTimeoutMs ?? 8000) + 2000);
      return JSON.stringify({ taskId: task.id, result: 'too late', worker: name });
    }
    const peers = [...this.known].filter((p) => p !== name);
    let context = '';
    if (peers.length && Math.random() < 0.3) {
      const peer = peers[Math.floor(Math.random() * peers.length)];
      context = await call.call(peer, 'lookup', task.data, { timeoutMs: 5000 }).catch((e: Error) => `lookup failed: ${e.message}`);
    }
    const summary = await call.span(
      'llm.chat',
      async (span) => {
        const text = await streamWords(15 + Math.floor(Math.random() * 35), delay, span.token);
        if (roll < (this.o.timeoutRate ?? 0.03) + (this.o.errorRate ?? 0.05)) throw new Error('model returned malformed JSON');
        return text;
      },
      { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'sim-gpt-mini', 'gen_ai.agent.name': name },
    );
    return JSON.stringify({ taskId: task.id, result: `processed: ${task.data}`, summary, context: context || undefined, worker: name });
  }

  private pickWorker(): string | undefined {
    const candidates = [...this.known];
    if (!candidates.length) return undefined;
    // Least busy first (health-aware routing from the seed), random among equals.
    return candidates.sort((a, b) => (this.load.get(a) ?? 0) - (this.load.get(b) ?? 0) || Math.random() - 0.5)[0];
  }

  private loop(orchestrator: XrayAgent): void {
    let n = 0;
    const dispatch = async () => {
      const worker = this.pickWorker();
      if (!worker || !orchestrator.isReady) return;
      const task = { id: `task-${n++}`, data: `document-${n}` };
      const traceId = mintTraceId();
      this.stats.dispatched++;
      try {
        await orchestrator.span(
          'orchestrate',
          async (span) => {
            await streamWords(4, [5, 15], span.token);
            return orchestrator.call(worker, 'process', JSON.stringify(task), { traceId, parentSpanId: span.spanId, timeoutMs: this.o.callTimeoutMs ?? 8000 });
          },
          { traceId, attributes: { 'gen_ai.operation.name': 'invoke_agent', task: task.id } },
        );
        this.stats.ok++;
      } catch (err) {
        this.stats.failed++;
        if (this.running) this.o.log?.(`${task.id} on ${worker} failed: ${(err as Error).message}`);
      }
    };
    const tick = () => {
      if (!this.running) return;
      void dispatch();
      const t = setTimeout(tick, this.o.taskIntervalMs ?? 400);
      this.timers.push(t);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    await this.release?.stop();
    await Promise.all(this.agents.map((a) => a.close(500)));
  }
}
