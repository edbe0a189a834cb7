/** Wire types of the Alerts API (`/api/alerts*`), shared by the server and the dashboard. */
import { z } from 'zod';
import type { AlertTransitionData } from './alertTransition';

/** Bytes of one alert rule file at most. */
export const RULE_FILE_MAX_BYTES = 256 * 1024;

/** `PUT /api/alerts/rules`: the whole rule file as YAML text. */
export const saveRulesRequest = z.object({ yaml: z.string().max(RULE_FILE_MAX_BYTES) }).strict();

export interface ActiveAlertView {
  rule: string;
  key: string;
  kind: string;
  phase: 'pending' | 'firing';
  severity: 'critical' | 'warning' | 'info';
  labels: [string, string][];
  value: number;
  threshold: number;
  description: string;
  since: number;
  fired_at: number | null;
  examples: readonly string[];
  agent: string | null;
  firing_id: string | null;
}

export interface AlertsSummary {
  firing: number;
  pending: number;
  /** The rule file on disk is refused (the previous rules stay in force). */
  rules_error: boolean;
}

export interface AlertsPage extends AlertsSummary {
  active: ActiveAlertView[];
  history: (AlertTransitionData & { seq: number })[];
  source: {
    path: string;
    from_env: boolean;
    text: string;
    error: string | null;
    loaded_at: number | null;
    rules: { name: string; kind: string; severity: string; for_ms: number; description: string }[];
    receivers: { name: string; format: string; host: string }[];
  };
}
