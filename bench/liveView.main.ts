/**
 * The live-view section on its own (bench/liveView.ts), without the rest of the benchmark:
 * `node --import tsx bench/liveView.main.ts [--port=4330] [--counts=1000,5000,20000] [--repeats=3] [--seconds=5] [--out=FILE]`
 * BENCH_LIVE_PROFILE=dir records a CPU profile per count as in the full run.
 */
import fs from 'node:fs';
import { startXray } from './procs';
import { benchLiveView } from './liveView';
import { flagValue } from './cliArgs';


async function main() {
  const port = Number(flagValue('port', '4330'));
  const x = await startXray(port, port + 10);
  try {
    const rows = await benchLiveView(x, { agentCounts: flagValue('counts', '1000,5000,20000').split(',').map(Number), repeats: Number(flagValue('repeats', '3')), sampleSeconds: Number(flagValue('seconds', '5')) });
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
