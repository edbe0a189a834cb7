/**
 * Faults the process survived, counted for /metrics. The entry point (server/index.ts)
 * installs the policy that increments them.
 */
export const processFaults = { unhandledRejections: 0 };
