/**
 * The process's own policy for faults nothing else caught, and their counts for /metrics
 * (and the relay's /healthz, for the relay-only process that serves no /metrics). The entry
 * point (server/index.ts) installs it; Next.js installs handlers of its own that log and
 * continue, so without ours the full server and the relay-only process would behave differently.
 *
 * A rejected promise nobody handled is a bug, but its effects are confined to the operation
 * that failed (every ack waits on its own promise): log it with its stack, count it, keep
 * serving. An exception that escaped synchronously may have left any in-memory state
 * half-updated: state is unknown, so exit and let the supervisor restart from the log, which
 * holds everything acknowledged.
 */
export const processFaults = { unhandledRejections: 0 };

/** EX_SOFTWARE: a synchronous exception escaped every handler. */
export const EXIT_UNCAUGHT = 70;

interface ProcessLike {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  on(event: 'uncaughtException', listener: (err: Error, origin: string) => void): unknown;
}

export function installProcessFaultPolicy(
  proc: ProcessLike = process,
  exit: (code: number) => void = (code) => process.exit(code),
  log: (line: string, detail: unknown) => void = (line, detail) => console.error(line, detail),
): void {
  proc.on('unhandledRejection', (reason) => {
    processFaults.unhandledRejections++;
    log('[xray] unhandled promise rejection (kept running; please report):', reason instanceof Error ? reason.stack : reason);
  });
  proc.on('uncaughtException', (err, origin) => {
    log(`[xray] ${origin}: exiting because in-memory state is unknown (the log keeps every acknowledged event):`, err.stack ?? err);
    exit(EXIT_UNCAUGHT);
  });
}
