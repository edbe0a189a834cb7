/**
 * The ceiling: a bare `ws` server on the same machine that only counts messages (no parsing,
 * no storage). Prints the count every time it receives SIGUSR2, and on SIGTERM.
 */
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2]);
let messages = 0;
const wss = new WebSocketServer({ port, host: '127.0.0.1', maxPayload: 4 * 1024 * 1024 });
wss.on('connection', (ws) => ws.on('message', () => messages++));
wss.on('listening', () => process.stdout.write('ready\n'));
process.on('SIGUSR2', () => process.stdout.write(JSON.stringify({ messages }) + '\n'));
process.on('SIGTERM', () => {
  process.stdout.write(JSON.stringify({ messages }) + '\n');
  process.exit(0);
});
