/**
 * The RSS section on its own: `node --import tsx bench/rss.main.ts [--quick] [--port=N]
 * [--repeats=N] [--no-next] [--events=N] [--dashboards=N]`. Prints one JSON line per run, then the median RSS.
 */
import { benchRss } from './rss';
import { median } from './stats';
import { flagValue, hasFlag } from './cliArgs';

const quick = hasFlag('quick');
const port = Number(flagValue('port') ?? 4220);
const repeats = Number(flagValue('repeats') ?? 1);
const noNext = hasFlag('no-next');
const preset = quick
  ? { events: 50_000, traces: 5, dashboards: 10, traceWatchers: 2, settleSeconds: 5, liveRate: 1000, quietSeconds: 3, noNext }
  : { events: 1_000_000, traces: 10, dashboards: 100, traceWatchers: 5, settleSeconds: 10, liveRate: 1000, quietSeconds: 10, noNext };
// --events=N / --dashboards=N override the preset (profiling at an intermediate size).
const params = { ...preset, ...(flagValue('events') ? { events: Number(flagValue('events')) } : {}), ...(flagValue('dashboards') ? { dashboards: Number(flagValue('dashboards')) } : {}) };

const runs = [];
for (let i = 0; i < repeats; i++) {
  const r = await benchRss(port, port + 10, params);
  console.log(JSON.stringify(r));
  runs.push(r);
}
console.log(JSON.stringify({ median_rss_mb: median(runs.map((r) => r.rss_mb)), runs: runs.map((r) => r.rss_mb) }));
