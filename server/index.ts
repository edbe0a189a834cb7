/**
 * Entry point: `node --import tsx server/index.ts`. Validates configuration, starts both
 * planes, and shuts down gracefully on SIGINT/SIGTERM (stop accepting, flush the log,
 * close sockets). Any start-up failure — a port in use, a bad env var — exits non-zero;
 * a data dir it cannot write or a damaged log file exit with their own codes (startupChecks.ts).
 */
import { loadConfig } from './config';
import { applyHeapGrowth } from './heapGrowth';
import { DEFAULT_HEAP_RELEASE, HeapReleaser } from './heapRelease';
import { installProcessFaultPolicy } from './processFaults';
import { StartupError } from './store/startupChecks';
import { startXray } from './xray';

process.env.NEXT_TELEMETRY_DISABLED = '1';

// Our own policy for unhandled rejections and uncaught exceptions (processFaults.ts), the same in every mode.
installProcessFaultPolicy();

async function main(): Promise<void> {
  const config = loadConfig();
  // Early, before the ingest grows the heap: V8 reads it at each limit it sets from here on.
  applyHeapGrowth(config.heapGrowthPercent);
  // Per process, like the heap: the server lets V8 give memory back when it goes quiet after a burst.
  if (config.heapReleaseMb > 0) new HeapReleaser({ ...DEFAULT_HEAP_RELEASE, growthBytes: config.heapReleaseMb * 1024 * 1024 });
  // --relay-only runs the data plane alone (no Next.js): used by process-level tests.
  // --no-next serves /api, /metrics and Socket.IO but no pages (fanout tests, benchmark).
  const dashboard = !process.argv.includes('--relay-only');
  const xray = await startXray(config, { dashboard, next: !process.argv.includes('--no-next') });
  console.log(`[xray] relay listening on ${config.relayHost}:${xray.data.relayPort} (ws /ws, REST /v1)${config.relayKeys ? '' : ' — loopback only: no RELAY_KEYS set'}`);
  if (xray.observation) {
    const base = `http://localhost:${xray.observation.port}`;
    console.log(`[xray] dashboard on ${base}`);
    if (xray.admin.source === 'generated') {
      // Printed once, when generated; later starts only say where it is kept.
      console.log(`[xray] admin token generated and saved to ${xray.admin.file} (0600). Log in: ${base}/auth/login?token=${xray.admin.token}`);
    } else if (xray.admin.source === 'file') console.log(`[xray] admin token: see ${xray.admin.file}`);
    else console.log('[xray] admin token: from ADMIN_TOKEN');
  }
  if (xray.observation) console.log(`[xray] metrics on http://localhost:${xray.observation.port}/metrics`);
  console.log(`[xray] event log in ${config.dataDir} (head seq ${await xray.data.log.head()})`);
  console.log('[xray] ready');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[xray] ${signal}: shutting down`);
    const force = setTimeout(() => {
      console.error('[xray] shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    xray.close().then(
      () => {
        console.log('[xray] stopped cleanly');
        process.exit(0);
      },
      (err) => {
        console.error('[xray] error while stopping:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: Error) => {
  console.error(`[xray] failed to start: ${err.message}`);
  process.exit(err instanceof StartupError ? err.exitCode : 1);
});
