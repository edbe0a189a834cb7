/**
 * Entry point: `node --import tsx server/index.ts`. Validates configuration, starts both
 * planes, and shuts down gracefully on SIGINT/SIGTERM (stop accepting, flush the log,
 * close sockets). Any start-up failure — a port in use, a bad env var — exits non-zero;
 * a data dir it cannot write or a damaged log file exit with their own codes (startupChecks.ts).
 */
import { loadConfig } from './config';
import { processFaults } from './processFaults';
import { StartupError } from './store/startupChecks';
import { startXray } from './xray';

process.env.NEXT_TELEMETRY_DISABLED = '1';

/** EX_SOFTWARE: a synchronous exception escaped every handler. */
const EXIT_UNCAUGHT = 70;

/*
 * Process policy. A rejected promise nobody handled is a bug, but its effects are confined
 * to the operation that failed (every ack waits on its own promise), so log it with its
 * stack, count it in /metrics and keep serving. An exception that escaped synchronously
 * may have left any in-memory state half-updated: state is unknown, so exit and let the
 * supervisor restart from the log, which holds everything acknowledged.
 */
process.on('unhandledRejection', (reason) => {
  processFaults.unhandledRejections++;
  console.error('[xray] unhandled promise rejection (kept running; please report):', reason instanceof Error ? reason.stack : reason);
});
process.on('uncaughtException', (err, origin) => {
  console.error(`[xray] ${origin}: exiting because in-memory state is unknown (the log keeps every acknowledged event):`, err.stack ?? err);
  process.exit(EXIT_UNCAUGHT);
});

async function main(): Promise<void> {
  const config = loadConfig();
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
