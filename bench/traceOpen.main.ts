/**
 * The trace-open section on its own (bench/traceOpen.ts), without the rest of the benchmark:
 * `node --import tsx bench/traceOpen.main.ts [--port=4330] [--sizes=1000x100,10000x100] [--opens=3] [--page-load=0] [--out=FILE]`
 */
import fs from 'node:fs';
import { startXray } from './procs';
import { benchTraceOpen } from './traceOpen';
import { flagValue } from './cliArgs';


async function main() {
  const port = Number(flagValue('port', '4330'));
  const x = await startXray(port, port + 10);
  const rows = [];
  try {
    for (const [i, size] of flagValue('sizes', '1000x100').split(',').entries()) {
      const [spans, tokensPerSpan] = size.split('x').map(Number);
      const row = await benchTraceOpen(x, { spans, tokensPerSpan, opens: Number(flagValue('opens', '3')), pageLoad: flagValue('page-load', '0') === '1', traceId: `0${(13 + i).toString(16)}`.repeat(16) });
      console.log(`[bench] trace open: ${JSON.stringify(row)}`);
      rows.push(row);
    }
    const out = flagValue('out', '');
    if (out) fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), rows }, null, 2) + '\n');
  } finally {
    await x.stop();
    fs.rmSync(x.dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
