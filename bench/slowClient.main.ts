/**
 * The slow-client section on its own: `node --import tsx bench/slowClient.main.ts [--quick]
 * [--port=N] [--repeats=N] [--stall=S] [--no-next]`. Prints one JSON line per run, then the median growth.
 */
import { startXray } from './procs';
import { benchSlowClient } from './slowClient';
import { median } from './stats';
import { flagValue, hasFlag } from './cliArgs';

const quick = hasFlag('quick');
const port = Number(flagValue('port') ?? 4200);
const repeats = Number(flagValue('repeats') ?? 1);
const stall = flagValue('stall');
const params = { ...(quick ? { stallSeconds: 3, rate: 1000, agents: 20, pad: 256 } : { stallSeconds: 30, rate: 1000, agents: 100, pad: 256 }), ...(stall ? { stallSeconds: Number(stall) } : {}) };

const runs = [];
for (let i = 0; i < repeats; i++) {
  // A fresh server per run: the figure must not depend on what an earlier run left behind.
  const x = await startXray(port, port + 10, hasFlag('no-next') ? ['--no-next'] : []);
  try {
    const r = await benchSlowClient(x, params);
    console.log(JSON.stringify(r));
    runs.push(r);
  } finally {
    await x.stop();
  }
}
console.log(JSON.stringify({ median_heap_growth_mb: median(runs.map((r) => r.heap_growth_mb)), runs: runs.map((r) => r.heap_growth_mb) }));
