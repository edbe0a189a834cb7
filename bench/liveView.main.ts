/**
 * The live-view section on its own (bench/liveView.ts), without the rest of the benchmark:
 * `node --import tsx bench/liveView.main.ts [--port=4330] [--counts=1000,5000,20000] [--repeats=3] [--seconds=5] [--out=FILE]`
 * BENCH_LIVE_PROFILE=dir records a CPU profile per count as in the full run.
 */
import fs from 'node:fs';
import { startXray } from './procs';
import { benchLiveView } from './liveView';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

async function main() {
  const port = Number(arg('port', '4330'));
  const x = await startXray(port, port + 10);
  try {
    const rows = await benchLiveView(x, { agentCounts: arg('counts', '1000,5000,20000').split(',').map(Number), repeats: Number(arg('repeats', '3')), sampleSeconds: Number(arg('seconds', '5')) });
    const out = arg('out', '');
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
