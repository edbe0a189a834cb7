/** Node-side helpers for e2e tests: a scripted agent on the demo server's relay, and a second server the test can stop and start. */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { E2E } from '../playwright.config';

export const relayHttp = `http://127.0.0.1:${E2E.relayPort}`;

/** Registers an agent that answers `process` with an error (and streams a little first). */
export async function faultyAgent(name: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${E2E.relayPort}/ws`);
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'register', name })));
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.type === 'registered') resolve();
      if (m.type === 'inbound_call') {
        ws.send(JSON.stringify({ type: 'token', correlation_id: m.correlation_id, text: 'thinking about it… ' }));
        ws.send(JSON.stringify({ type: 'call_response', correlation_id: m.correlation_id, error: 'injected failure: tool crashed' }));
      }
    });
    ws.on('error', reject);
  });
  return ws;
}

export async function callAgent(to: string, payload = '{}', traceId?: string): Promise<{ status: number; body: { trace_id?: string } }> {
  const r = await fetch(`${relayHttp}/v1/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to, method: 'process', payload, ...(traceId ? { trace_id: traceId } : {}) }) });
  return { status: r.status, body: await r.json() };
}

/** A second X-Ray server on its own ports, using the same build and admin token as the suite. */
export class SpareServer {
  private child: ChildProcess | null = null;
  readonly port = 3190;
  readonly relayPort = 9190;
  readonly dataDir = path.join(os.tmpdir(), `xray-e2e-spare-${process.pid}-${Date.now()}`);

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
      env: { ...process.env, NODE_ENV: 'production', PORT: String(this.port), RELAY_PORT: String(this.relayPort), XRAY_DATA_DIR: this.dataDir, ADMIN_TOKEN: E2E.adminToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('[xray] ready')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`spare server exited ${code}: ${out}`)));
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    await new Promise((r) => {
      child.once('exit', r);
      child.kill('SIGTERM');
    });
  }
}
