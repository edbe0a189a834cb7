import fs from 'node:fs';
import { SqliteEventLog } from './server/store/sqliteEventLog';
import { TraceParts } from './server/observation/traceParts';
import { ev } from './server/testing/eventLogContract';
fs.rmSync('/tmp/tp/copy', { recursive: true, force: true });
fs.cpSync('/tmp/tp/data', '/tmp/tp/copy', { recursive: true });
const log = SqliteEventLog.open('/tmp/tp/copy');
const id = 'ab'.repeat(16);
const parts = new TraceParts(log);
let t = performance.now();
await parts.outline(id);
console.log(`cold outline: ${(performance.now() - t).toFixed(0)} ms`);
const times: number[] = [];
for (let i = 0; i < 5; i++) {
  await log.append(Array.from({ length: 50 }, (_, k) => ev({ kind: 'token', trace_id: id, span_id: '0000000000000001', agent: 'prep', data: { text: ` g${i}.${k}` } })));
  t = performance.now();
  await parts.outline(id);
  times.push(Math.round(performance.now() - t));
}
console.log(`outline after 50 more events, 5 times: ${times.join(' ')} ms; builds ${JSON.stringify(parts.reads.stats)}`);
process.exit(0);
