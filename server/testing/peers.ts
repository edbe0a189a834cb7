/**
 * Test clients bound to distinct loopback source addresses (Linux routes all of 127/8), so
 * per-address fair shares can be exercised from one machine: 127.0.0.2 plays the hog,
 * 127.0.0.3 the bystander who must still be served.
 */
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';

export const HOG = '127.0.0.2';
export const BYSTANDER = '127.0.0.3';

export interface SseStream {
  status: number;
  body: string;
  data(): string[];
  close(): void;
}

/** Opens `GET /v1/subscribe` from `localAddress`; resolves on the response headers. */
export function openSse(baseUrl: string, topic: string, localAddress: string, headers: Record<string, string> = {}, query = ''): Promise<SseStream> {
  return openStream(`${baseUrl}/v1/subscribe?topic=${encodeURIComponent(topic)}${query ? `&${query}` : ''}`, localAddress, headers);
}

/** Opens any event stream (`/v1/subscribe`, `/v1/spans/watch`) from `localAddress`; resolves on the response headers. */
export function openStream(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { localAddress, headers }, (res) => {
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        body: '',
        data: () => stream.body.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)),
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (c: string) => (stream.body += c));
      res.on('error', () => {});
      resolve(stream);
    });
    req.on('error', reject);
  });
}

/** Opens a WebSocket from `localAddress`: resolves with the socket once open, or with the refusal status. */
export function openWs(wsUrl: string, localAddress: string): Promise<{ ws?: WebSocket; refused?: { status: number; body: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { localAddress });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ refused: { status: res.statusCode ?? 0, body } }));
    });
    ws.once('error', (err) => {
      if (ws.readyState !== WebSocket.CLOSED) reject(err);
    });
  });
}

/** Messages a raw socket received, and how it ended. */
export interface RawPeer {
  socket: net.Socket;
  received(): string;
  closed: Promise<number>;
}

/** A raw TCP client (for slowloris): resolves once connected; `closed` resolves with the ms it stayed open. */
export function rawConnect(port: number, localAddress = HOG): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    let text = '';
    const start = Date.now();
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (text += c));
    socket.on('error', () => {});
    const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now() - start)));
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

/** Writes `chunks` one every `everyMs` until the socket closes or they run out. */
export async function trickle(peer: RawPeer, chunks: string[], everyMs: number): Promise<void> {
  for (const c of chunks) {
    if (peer.socket.destroyed) return;
    peer.socket.write(c);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
