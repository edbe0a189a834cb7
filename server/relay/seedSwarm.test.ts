/**
 * G1: the seed's three workers and orchestrator (e2e/fixtures/seed, copied unchanged apart
 * from a shorter sleep) complete 12/12 against the embedded relay. They hard-code
 * localhost:9002, so this test owns that port while it runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { EventOf } from '../../lib/protocol/events';
import { startTestRelay, waitFor } from '../testing/harness';

const SEED = path.resolve(__dirname, '../../e2e/fixtures/seed');
const children: ChildProcess[] = [];

function run(file: string, env: Record<string, string> = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(SEED, file)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

it('runs the seed swarm unchanged: 12/12 tasks processed through the relay', { timeout: 60_000 }, async () => {
  const relay = await startTestRelay({ relayPort: 9002 }) // default bind (127.0.0.1): the seed dials "localhost";
  try {
    const workers = [1, 2, 3].map((id) => run('worker.ts', { WORKER_ID: String(id) }));
    await waitFor(() => relay.relay.agents().length === 3, 20_000, 'three seed workers to register');
    const orchestrator = run('orchestrator.ts');
    expect(await orchestrator.exited).toBe(0);
    const out = orchestrator.output();
    expect(out).toContain('completed: 12/12');
    expect(out).toContain('failed: 0/12');
    // "fulfilled" in the seed only means the HTTP call returned: check every answer is a worker's result.
    const payloads = ((await relay.log.read({ kinds: ['call.response'] })) as EventOf<'call.response'>[]).map((e) => JSON.parse(e.data.payload));
    expect(payloads).toHaveLength(12);
    expect(payloads.map((p) => p.taskId).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `task-${i}`).sort());
    for (const p of payloads) expect(p.result).toBe(`processed: document-${p.taskId.slice(5)}`);
    expect(await relay.log.read({ kinds: ['call.error', 'call.timeout'] })).toHaveLength(0);
    // Every call carried its own Neural Trace ID, request and response in the same trace.
    const traces = new Set((await relay.log.read({ kinds: ['call.request'] })).map((e) => e.trace_id));
    expect(traces.size).toBe(12);
    expect(workers.every((w) => w.output().includes('ready'))).toBe(true);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await relay.close();
  }
});
