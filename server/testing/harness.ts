/** Test helpers: a real data plane on an ephemeral loopback port, and a scripted WS agent. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { RelayToAgent } from '../../lib/protocol/relay';
import { loadConfig, type XrayConfig } from '../config';
import { startDataPlane, type DataPlane } from '../dataPlane';

export function tempDir(prefix = 'xray-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startTestRelay(overrides: Partial<XrayConfig> = {}): Promise<DataPlane & { url: string; wsUrl: string; config: XrayConfig }> {
  const config = { ...loadConfig({ NODE_ENV: 'test' }), relayPort: 0, dataDir: tempDir(), ...overrides };
  const plane = await startDataPlane(config);
  return { ...plane, config, url: `http://127.0.0.1:${plane.relayPort}`, wsUrl: `ws://127.0.0.1:${plane.relayPort}/ws` };
}

/** Polls until `check` returns a truthy value or the time is up (bounded waits only). */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export class TestAgent {
  readonly messages: RelayToAgent[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.messages.push(JSON.parse(d.toString())));
  }

  static async connect(wsUrl: string, name?: string): Promise<TestAgent> {
    const ws = new WebSocket(wsUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const agent = new TestAgent(ws);
    if (name) {
      agent.send({ type: 'register', name });
      await agent.next((m) => m.type === 'registered' || m.type === 'error');
    }
    return agent;
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Waits for the first message (from now or already received) matching `pred`, and consumes it. */
  async next<T extends RelayToAgent>(pred: (m: RelayToAgent) => boolean, timeoutMs = 5000): Promise<T> {
    const found = await waitFor(() => {
      const i = this.messages.findIndex(pred);
      return i >= 0 ? this.messages.splice(i, 1) : undefined;
    }, timeoutMs, 'agent message');
    return found[0] as T;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** The /api router on its own HTTP server (no Next.js), over a test relay's log and a live model. */
export async function startTestApi(plane: DataPlane): Promise<{ url: string; model: import('../../lib/model/swarmModel').SwarmModel; close(): Promise<void> }> {
  const http = await import('node:http');
  const { createApiRouter } = await import('../observation/apiRoutes');
  const { applyEvents, createSwarmModel } = await import('../../lib/model/swarmModel');
  const model = createSwarmModel(plane.writer.head());
  plane.writer.onCommit((events) => applyEvents(model, events));
  const api = await createApiRouter(plane, model);
  const { badUrl, parseRequestUrl } = await import('../http/requestUrl');
  const { sendError } = await import('../http/respond');
  // As the observation plane does: an unparsable target is the client's 400.
  const server = http.createServer((req, res) => {
    const url = parseRequestUrl(req.url, 'http://api');
    if (!url) return sendError(res, badUrl());
    void api.handle(req, res, url);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, model, close: () => new Promise((r) => server.close(() => r())) };
}
