/** Child processes for the benchmark: the real server, load generators, baseline servers. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildServerBundle } from '../scripts/buildServer';
import type { LoadConfig } from './loadgen';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';

export interface Proc {
  child: ChildProcess;
  output(): string;
  /** Resolves with the next stdout line matching `pred`. */
  line(pred: (l: string) => boolean, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** `tsx: false` runs plain JavaScript (the server bundle) without the TypeScript loader. */
export function start(args: string[], env: Record<string, string> = {}, opts: { tsx?: boolean } = {}): Proc {
  const child = spawn(process.execPath, [...(opts.tsx === false ? [] : ['--import', 'tsx']), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let buffer = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d;
    buffer += d;
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const l = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      for (const w of [...waiters]) if (w.pred(l)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    output: () => out + err,
    line: (pred, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for output of ${args[0]}:\n${(out + err).slice(-2000)}`)), timeoutMs);
        waiters.push({ pred, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exited.then(() => setTimeout(() => reject(new Error(`${args[0]} exited:\n${(out + err).slice(-2000)}`)), 50));
      }),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

export interface XrayProc extends Proc {
  port: number;
  relayPort: number;
  dataDir: string;
  /** The server's memory after a forced full GC (bench/gcOnSignal.mjs): live heap, not garbage. */
  memoryAfterGc(): Promise<GcMemory>;
  metric(name: string): Promise<number>;
  /**
   * The log's last seq (`/api/health`): seqs are gap-free, so two reads differ by the events
   * committed between them. A few hundred bytes to answer where a /metrics scrape renders
   * ~30 KB (2–4 ms of the event loop a scrape): what a bench polls every 100 ms while it measures.
   */
  logHead(): Promise<number>;
  /** The whole /metrics text (one scrape for several figures; `histogramBuckets` reads a histogram from it). */
  metricsText(): Promise<string>;
  api<T>(path: string): Promise<T>;
}

export interface GcMemory {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  /** V8 heap spaces: [committed, used] bytes by space name. */
  spaces: Record<string, [number, number]>;
  /** v8.getHeapStatistics() after the GC. */
  v8: Record<string, number>;
}

/** The environment every benchmarked server runs with (production, its ports, its data dir, the bench's admin token). */
export function benchServerEnv(port: number, relayPort: number, dataDir: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: String(port),
    RELAY_PORT: String(relayPort),
    XRAY_DATA_DIR: dataDir,
    ADMIN_TOKEN,
    // The benchmark drives one connection far past an agent's default budget.
    XRAY_RATE_LIMIT: '10000000',
  };
}

let bundled: string | null = null;
/** dist/server.mjs, built once per bench run from the current sources (~0.2 s). */
export function serverBundle(): string {
  return (bundled ??= buildServerBundle());
}

/** `dataDir`: start on an existing data directory (a log prepared beforehand) instead of a fresh one. */
export async function startXray(port: number, relayPort: number, extraArgs: string[] = [], opts: { dataDir?: string; env?: Record<string, string> } = {}): Promise<XrayProc> {
  const dataDir = opts.dataDir ?? path.join(os.tmpdir(), `xray-bench-${process.pid}-${port}-${Date.now()}`);
  // --expose-gc and the SIGUSR2 hook: the bench reads the heap after a forced GC (issue 18).
  // XRAY_BENCH_SERVER_FLAGS: extra Node/V8 flags for the server only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
  // to profile what a section measures (NODE_OPTIONS refuses --cpu-prof, and would profile the load generators too).
  const flags = process.env.XRAY_BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? [];
  // The production bundle (what `npm start` runs), not the sources through tsx: the loader's
  // own thread and its transform caches would count in the server's memory and start-up.
  const p = start(['--expose-gc', '--enable-source-maps', '--import', './bench/gcOnSignal.mjs', ...flags, serverBundle(), ...extraArgs], { ...benchServerEnv(port, relayPort, dataDir), ...opts.env }, { tsx: false });
  // XRAY_BENCH_SERVER_LOG=FILE: the server's output appended to FILE as it comes (with e.g.
  // XRAY_BENCH_SERVER_FLAGS="--trace-gc", to see what the server did during a section).
  const log = process.env.XRAY_BENCH_SERVER_LOG;
  if (log) for (const stream of [p.child.stdout!, p.child.stderr!]) stream.on('data', (d: Buffer) => fs.appendFileSync(log, d));
  await p.line((l) => l.includes('[xray] ready'));
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
  // Under a deliberate flood the server may answer slowly; retry rather than abort the run.
  const read = async (pathname: string): Promise<string> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await (await fetch(`http://127.0.0.1:${port}${pathname}`, { headers, signal: AbortSignal.timeout(15_000) })).text();
      } catch (err) {
        if (attempt >= 4) throw err;
        await sleep(500);
      }
    }
  };
  const metricsText = () => read('/metrics');
  return {
    ...p,
    port,
    relayPort,
    dataDir,
    metricsText,
    async logHead() {
      return (JSON.parse(await read('/api/health')) as { head: number }).head;
    },
    async metric(name) {
      const line = (await metricsText()).split('\n').find((l) => l.startsWith(`${name} `));
      return Number(line?.split(' ')[1] ?? NaN);
    },
    async memoryAfterGc() {
      const line = p.line((l) => l.startsWith('[gc] '), 30_000);
      p.child.kill('SIGUSR2');
      return JSON.parse((await line).slice(5)) as GcMemory;
    },
    async api(p2) {
      return (await (await fetch(`http://127.0.0.1:${port}${p2}`, { headers })).json()) as never;
    },
  };
}

export async function runLoad(cfg: LoadConfig): Promise<{ sent: number; acked: number; seconds: number; bytes: number }> {
  const p = start(['bench/loadgen.ts', JSON.stringify(cfg)]);
  const line = await p.line((l) => l.startsWith('{'), (cfg.seconds + 120) * 1000);
  await p.stop();
  return JSON.parse(line);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
