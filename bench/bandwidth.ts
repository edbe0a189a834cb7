/**
 * 3. Bandwidth: bytes to an overview client and to a trace client vs the bytes of the raw
 * frames ingested, and vs a naive server in the same run that emits one Socket.IO message
 * per frame (bench/naiveFanout.ts) under the same load.
 */
import { io, type Socket } from 'socket.io-client';
import { mintTraceId } from '../lib/protocol/ids';
import { ADMIN_TOKEN, runLoad, sleep, start, type XrayProc } from './procs';
import { round } from './stats';

function byteCounter(url: string, subscribe: unknown | null): Promise<{ socket: Socket; bytes: () => number }> {
  const s = io(url, { transports: ['websocket'], extraHeaders: { authorization: `Bearer ${ADMIN_TOKEN}` }, forceNew: true });
  let bytes = 0;
  s.io.on('open', () => s.io.engine.on('data', (d: string | ArrayBuffer) => (bytes += typeof d === 'string' ? Buffer.byteLength(d) : d.byteLength)));
  return new Promise((resolve) =>
    s.on('connect', () => {
      if (!subscribe) return resolve({ socket: s, bytes: () => bytes });
      s.emit('subscribe', subscribe, () => resolve({ socket: s, bytes: () => bytes }));
    }),
  );
}

export async function benchBandwidth(x: XrayProc, naivePorts: [number, number], p: { agents: number; rate: number; seconds: number }) {
  const traceId = mintTraceId();
  const overview = await byteCounter(`http://127.0.0.1:${x.port}/dashboard`, { scope: { kind: 'overview' } });
  const trace = await byteCounter(`http://127.0.0.1:${x.port}/dashboard`, { scope: { kind: 'trace', traceId } });
  await sleep(500);
  const [ov0, tr0] = [overview.bytes(), trace.bytes()];
  const load = { agents: p.agents, seconds: p.seconds, rate: p.rate, batch: 1, ack: false, stamp: false, traceId } as const;
  const ours = await runLoad({ ...load, url: `ws://127.0.0.1:${x.relayPort}/ws`, namePrefix: 'bw' });
  await sleep(1500);
  const overviewBytes = overview.bytes() - ov0;
  const traceBytes = trace.bytes() - tr0;
  overview.socket.disconnect();
  trace.socket.disconnect();

  const naive = start(['bench/naiveFanout.ts', String(naivePorts[0]), String(naivePorts[1])]);
  await naive.line((l) => l === 'ready');
  const naiveClient = await byteCounter(`http://127.0.0.1:${naivePorts[1]}/dashboard`, null);
  await sleep(300);
  const nv0 = naiveClient.bytes();
  const theirs = await runLoad({ ...load, url: `ws://127.0.0.1:${naivePorts[0]}`, namePrefix: 'bw' });
  await sleep(1500);
  const naiveBytes = naiveClient.bytes() - nv0;
  naiveClient.socket.disconnect();
  await naive.stop();
  return {
    tokens: ours.sent,
    raw_frame_bytes: ours.bytes,
    overview_bytes: overviewBytes,
    trace_bytes: traceBytes,
    naive_bytes: naiveBytes,
    naive_tokens: theirs.sent,
    overview_vs_raw: round(overviewBytes / ours.bytes, 4),
    trace_vs_raw: round(traceBytes / ours.bytes, 4),
    overview_vs_naive: round(overviewBytes / naiveBytes, 4),
    trace_vs_naive: round(traceBytes / naiveBytes, 4),
  };
}
