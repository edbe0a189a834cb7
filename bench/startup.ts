/**
 * Start-up to first ack (issue 18: ≤ 2 s with a 10M-event log). Spawns the real server on the
 * cached big-log fixture (bigLog.ts) and, from the moment of the spawn, a real agent keeps
 * trying the relay (WebSocket /ws, the seed protocol): register, one acked token frame. The
 * figure is spawn → ack, median of `repeats` starts; the same on an empty log in the same run
 * shows what the log's size adds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { buildBigLog } from './bigLog';
import { spawnOn } from './bigLogServer';
import { median, round } from './stats';

export interface StartupBenchOptions {
  events: number;
  repeats: number;
  port: number;
  relayPort: number;
  log?: (line: string) => void;
}

export interface StartupRun {
  /** ms from spawn to the relay accepting the agent's connection. */
  connectMs: number;
  /** ms from spawn to the first ack of a token frame. */
  ackMs: number;
  /** ms from spawn to `[xray] ready` (the whole server, API included). */
  readyMs: number;
}

export interface StartupBenchResult {
  events: number;
  fixtureCached: boolean;
  bigLog: { runs: StartupRun[]; medianAckMs: number; medianReadyMs: number };
  emptyLog: { runs: StartupRun[]; medianAckMs: number; medianReadyMs: number };
  /** Median first ack on the big log minus on the empty log: what the log's size costs start-up. */
  logSizeAddsMs: number;
}

/** One agent that retries the relay every 10 ms until it is up, then registers and sends one acked token. */
async function firstAck(relayPort: number, spawnedAt: number, deadlineMs: number): Promise<{ connectMs: number; ackMs: number }> {
  for (;;) {
    if (performance.now() - spawnedAt > deadlineMs) throw new Error(`no ack within ${deadlineMs} ms`);
    const result = await new Promise<{ connectMs: number; ackMs: number } | null>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${relayPort}/ws`);
      let connectMs = 0;
      const fail = () => {
        ws.terminate();
        resolve(null);
      };
      ws.on('error', fail);
      ws.on('open', () => {
        connectMs = performance.now() - spawnedAt;
        ws.send(JSON.stringify({ type: 'register', name: `startup-bench-${process.pid}` }));
      });
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString()) as { type: string; code?: string };
        if (m.type === 'registered') ws.send(JSON.stringify({ type: 'token', id: `startup-${Date.now()}-${Math.random()}`, text: ' hello', ack: true }));
        else if (m.type === 'ack') {
          const ackMs = performance.now() - spawnedAt;
          ws.close();
          resolve({ connectMs, ackMs });
        } else if (m.type === 'error') fail();
      });
    });
    if (result) return result;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function startOnce(dataDir: string, o: StartupBenchOptions): Promise<StartupRun> {
  const p = spawnOn(dataDir, o.port, o.relayPort);
  try {
    const ready = p.line((l) => l.includes('[xray] ready'), 600_000).then(() => performance.now() - p.spawnedAt);
    const ack = await firstAck(o.relayPort, p.spawnedAt, 600_000);
    return { connectMs: round(ack.connectMs), ackMs: round(ack.ackMs), readyMs: round(await ready) };
  } finally {
    await p.stop();
  }
}

const summary = (runs: StartupRun[]) => ({ runs, medianAckMs: round(median(runs.map((r) => r.ackMs))), medianReadyMs: round(median(runs.map((r) => r.readyMs))) });

export async function benchStartup(o: StartupBenchOptions): Promise<StartupBenchResult> {
  const log = o.log ?? ((l: string) => console.log(l));
  const fixture = await buildBigLog({ events: o.events, progress: log });
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-startup-empty-'));
  const label = `${fixture.events.toLocaleString('en')}-event log`;
  try {
    // Interleaved, so a change in the machine's load hits both series alike.
    const emptyRuns: StartupRun[] = [];
    const bigRuns: StartupRun[] = [];
    for (let i = 0; i < o.repeats; i++) {
      for (const [dir, runs, name] of [[empty, emptyRuns, 'empty log'], [fixture.dataDir, bigRuns, label]] as const) {
        const r = await startOnce(dir, o);
        log(`[startup] ${name}: first ack ${r.ackMs} ms after spawn (relay up ${r.connectMs} ms, ready ${r.readyMs} ms)`);
        runs.push(r);
      }
    }
    const bigLog = summary(bigRuns);
    const emptyLog = summary(emptyRuns);
    return { events: fixture.events, fixtureCached: fixture.cached, bigLog, emptyLog, logSizeAddsMs: round(bigLog.medianAckMs - emptyLog.medianAckMs) };
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
}
