/** Environment of the alerting subsystem, validated at start (a bad value stops the process). */
import path from 'node:path';
import { z } from 'zod';

const schema = z.object({
  /** The rule file. Unset: `alerts.yml` in the data dir, edited from the Alerts page. */
  XRAY_ALERTS: z.string().min(1).optional(),
  /** The dashboard's address as receivers should link to it. */
  XRAY_PUBLIC_URL: z.string().url().optional(),
  /** How often conditions are evaluated against the clock (absence, sliding windows), ms. */
  XRAY_ALERTS_EVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** How often the rule file is checked for changes, ms. */
  XRAY_ALERTS_WATCH_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Webhook deliveries waiting per receiver at most (the oldest is dropped beyond). */
  XRAY_ALERTS_QUEUE: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** First retry delay of a failed webhook, ms (doubles per attempt, with jitter, up to 60 s). */
  XRAY_ALERTS_RETRY_MS: z.coerce.number().int().min(1).max(60_000).default(500),
});

export interface AlertsConfig {
  rulesPath: string;
  fromEnv: boolean;
  publicUrl: string;
  evalMs: number;
  watchMs: number;
  queue: number;
  retryMs: number;
}

export function loadAlertsConfig(dataDir: string, dashboardPort: number, env: NodeJS.ProcessEnv = process.env): AlertsConfig {
  const e = schema.parse(env);
  return {
    rulesPath: path.resolve(e.XRAY_ALERTS ?? path.join(dataDir, 'alerts.yml')),
    fromEnv: e.XRAY_ALERTS !== undefined,
    publicUrl: e.XRAY_PUBLIC_URL ?? `http://localhost:${dashboardPort}`,
    evalMs: e.XRAY_ALERTS_EVAL_MS,
    watchMs: e.XRAY_ALERTS_WATCH_MS,
    queue: e.XRAY_ALERTS_QUEUE,
    retryMs: e.XRAY_ALERTS_RETRY_MS,
  };
}
