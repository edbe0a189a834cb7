/**
 * Load generator, run as its own process: N agents over the relay WebSocket, streaming
 * tokens at a fixed total rate or as fast as the sockets drain. Prints one JSON line of
 * results when done. Config is one JSON argument (see LoadConfig).
 */
import WebSocket from 'ws';

export interface LoadConfig {
  url: string;
  agents: number;
  namePrefix: string;
  seconds: number;
  /** Tokens per second in total; 0 = as fast as possible. */
  rate: number;
  /** Frames per WebSocket message (1 = single `token` frames). */
  batch: number;
  ack: boolean;
  traceId?: string;
  /** Prefix each token with its send time, for end-to-end latency. */
  stamp: boolean;
  /** Bare mode: the server does not answer `register` (the ceiling server). */
  bare?: boolean;
  key?: string;
  pad?: string;
  /** Stop after this many tokens (as-fast-as-possible mode), even before `seconds` is up. */
  total?: number;
}

const cfg = JSON.parse(process.argv[2]) as LoadConfig;
const sockets: WebSocket[] = [];
let sent = 0;
let bytes = 0;
let acked = 0;
/** `ack` messages received (each carries one or more ids). */
let ackMessages = 0;
let seq = 0;

/** One agent: connect and register, with a handshake timeout and a few retries (a loaded server may drop a SYN). */
async function connectOne(name: string): Promise<WebSocket> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(cfg.url, { handshakeTimeout: 15_000, ...(cfg.key ? { headers: { authorization: `Bearer ${cfg.key}` } } : {}) });
        const timer = setTimeout(() => {
          ws.terminate();
          reject(new Error(`${name}: not registered within 30 s`));
        }, 30_000);
        const done = (err?: Error) => {
          clearTimeout(timer);
          if (err) reject(err);
          else resolve(ws);
        };
        ws.on('open', () => {
          ws.send(JSON.stringify({ type: 'register', name }));
          if (cfg.bare) done();
        });
        ws.on('message', (d) => {
          const m = JSON.parse(d.toString());
          if (m.type === 'registered') done();
          else if (m.type === 'ack') {
            acked += m.ids.length;
            ackMessages++;
          }
          else if (m.type === 'error' && !cfg.bare && m.code !== 'rate_limited') done(new Error(`${name}: ${m.code} ${m.message}`));
        });
        ws.on('error', (err) => done(err));
      });
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

async function connectAll(): Promise<void> {
  const CONCURRENCY = 200;
  for (let i = 0; i < cfg.agents; i += CONCURRENCY) {
    const batch = await Promise.all(Array.from({ length: Math.min(CONCURRENCY, cfg.agents - i) }, (_, k) => connectOne(`${cfg.namePrefix}-${i + k}`)));
    sockets.push(...batch);
  }
}

/**
 * One token frame, built as one literal per shape: an object spread (`{ ...frame(), ack: true }`)
 * is a slow path in V8, and it ran only in acked runs, charging the generator's own waste to the
 * acked ÷ unacked row.
 */
function frame(ack: boolean): Record<string, unknown> {
  // Every 10th token carries its send time (latency samples); padding stands in for longer chunks.
  const text = (cfg.stamp && seq % 10 === 0 ? ` @${Date.now()}|${seq}` : ` tok${seq}`) + (cfg.pad ?? '');
  seq++;
  const id = `${cfg.namePrefix}-${process.pid}-${seq}`;
  if (cfg.traceId) return ack ? { type: 'token', id, text, trace_id: cfg.traceId, ack: true } : { type: 'token', id, text, trace_id: cfg.traceId };
  return ack ? { type: 'token', id, text, ack: true } : { type: 'token', id, text };
}

function batchOf(n: number): Record<string, unknown>[] {
  const frames = new Array<Record<string, unknown>>(n);
  for (let i = 0; i < n; i++) frames[i] = frame(false);
  return frames;
}

function sendOn(ws: WebSocket): void {
  const text = cfg.batch <= 1 ? JSON.stringify(frame(cfg.ack)) : JSON.stringify(cfg.ack ? { type: 'frames', frames: batchOf(cfg.batch), ack: true } : { type: 'frames', frames: batchOf(cfg.batch) });
  ws.send(text);
  bytes += text.length;
  sent += Math.max(1, cfg.batch);
}

async function run(): Promise<void> {
  await connectAll();
  process.stdout.write('sending\n');
  const start = Date.now();
  const end = start + cfg.seconds * 1000;
  let next = 0;
  if (cfg.rate > 0) {
    // Fixed rate: every 10 ms send the tokens due so far, round-robin over agents.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.floor(((Date.now() - start) / 1000) * cfg.rate);
        while (sent < due) sendOn(sockets[next++ % sockets.length]);
        if (Date.now() >= end) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
  } else {
    // As fast as the sockets drain: keep each socket's buffer topped up, yield to the event loop.
    await new Promise<void>((resolve) => {
      const pump = () => {
        if (Date.now() >= end || (cfg.total && sent >= cfg.total)) return resolve();
        for (let i = 0; i < 200 && !(cfg.total && sent >= cfg.total); i++) {
          const ws = sockets[next++ % sockets.length];
          // A small per-socket allowance: once the server pushes back, the generator waits.
          if (ws.bufferedAmount < 32 * 1024) sendOn(ws);
        }
        setImmediate(pump);
      };
      pump();
    });
  }
  const elapsed = (Date.now() - start) / 1000;
  // Give acks a moment to arrive.
  if (cfg.ack) for (let i = 0; i < 50 && acked < sent; i++) await new Promise((r) => setTimeout(r, 100));
  process.stdout.write(JSON.stringify({ sent, acked, ackMessages, seconds: elapsed, bytes }) + '\n');
  for (const ws of sockets) ws.terminate();
  process.exit(0);
}

run().catch((err) => {
  process.stderr.write(`loadgen: ${err.message}\n`);
  process.exit(1);
});
