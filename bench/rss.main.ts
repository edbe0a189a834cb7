/**
 * The RSS section on its own: `node --import tsx bench/rss.main.ts [--quick] [--port=N]
 * [--repeats=N] [--no-next] [--events=N] [--dashboards=N]`. Prints one JSON line per run, then the median RSS.
 */
import { benchRss, RSS_PRESETS } from './rss';
import { median } from './stats';
import { flagValue, hasFlag } from './cliArgs';

const quick = hasFlag('quick');
const port = Number(flagValue('port') ?? 4220);
const repeats = Number(flagValue('repeats') ?? 1);
const noNext = hasFlag('no-next');
const preset = { ...(quick ? RSS_PRESETS.quick : RSS_PRESETS.full), noNext };
// --events=N / --dashboards=N override the preset (profiling at an intermediate size).
const params = { ...preset, ...(flagValue('events') ? { events: Number(flagValue('events')) } : {}), ...(flagValue('dashboards') ? { dashboards: Number(flagValue('dashboards')) } : {}) };

const runs = [];
for (let i = 0; i < repeats; i++) {
  const r = await benchRss(port, port + 10, params);
  console.log(JSON.stringify(r));
  runs.push(r);
}
console.log(JSON.stringify({ median_rss_mb: median(runs.map((r) => r.rss_mb)), runs: runs.map((r) => r.rss_mb) }));
