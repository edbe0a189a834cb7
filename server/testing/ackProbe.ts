/**
 * A well-behaved agent in its own process, for the G6 amplification tests: registers, sends
 * one acked token every `AP_INTERVAL_MS`, and on `stop` (a line on stdin) prints one JSON
 * line {acks, p99, max, missing} of send→ack latencies. Its own process, so the attack
 * traffic the test process generates cannot delay the probe's clock or its socket reads.
 */
import WebSocket from 'ws';

const url = process.env.AP_URL!;
const name = process.env.AP_NAME ?? 'probe';
const interval = Number(process.env.AP_INTERVAL_MS ?? 20);

const ws = new WebSocket(url);
const sentAt = new Map<string, number>();
const latencies: number[] = [];
let timer: NodeJS.Timeout | null = null;

ws.on('open', () => ws.send(JSON.stringify({ type: 'register', name })));
ws.on('message', (data) => {
  const m = JSON.parse(data.toString());
  if (m.type === 'registered') {
    let i = 0;
    timer = setInterval(() => {
      const id = `${name}-${i++}`;
      sentAt.set(id, performance.now());
      ws.send(JSON.stringify({ type: 'token', id, text: ` ${i}`, ack: true }));
    }, interval);
    process.stdout.write('ready\n');
  } else if (m.type === 'ack') {
    for (const id of m.ids as string[]) {
      const t = sentAt.get(id);
      if (t !== undefined) latencies.push(performance.now() - t);
      sentAt.delete(id);
    }
  }
});

process.stdin.on('data', async (d) => {
  if (!d.toString().includes('stop')) return;
  if (timer) clearInterval(timer);
  const end = performance.now() + 5000;
  while (sentAt.size && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
  const sorted = [...latencies].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))] ?? 0;
  process.stdout.write(`${JSON.stringify({ acks: sorted.length, p99, max: sorted.at(-1) ?? 0, missing: sentAt.size })}\n`);
  ws.close();
  process.exit(0);
});
