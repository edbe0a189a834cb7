/**
 * The naive baseline for bandwidth: agents' token frames come in over a WebSocket and each
 * one goes out to every dashboard as its own Socket.IO message — what a dashboard without
 * coalescing does. Same protocol shape as X-Ray so the same load generator drives it.
 */
import http from 'node:http';
import { Server } from 'socket.io';
import { WebSocketServer } from 'ws';

const [wsPort, ioPort] = process.argv.slice(2).map(Number);
let seq = 0;
const httpServer = http.createServer();
const io = new Server(httpServer, { serveClient: false });
const nsp = io.of('/dashboard');
const wss = new WebSocketServer({ port: wsPort, host: '127.0.0.1' });
wss.on('connection', (ws) => {
  let name = '';
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    if (m.type === 'register') {
      name = m.name;
      ws.send(JSON.stringify({ type: 'registered', name }));
      return;
    }
    const frames = m.type === 'frames' ? m.frames : [m];
    for (const f of frames) nsp.emit('event', { seq: ++seq, id: f.id, ts: Date.now(), kind: 'token', trace_id: f.trace_id ?? null, span_id: null, agent: name, lamport: seq, data: { text: f.text } });
  });
});
httpServer.listen(ioPort, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
