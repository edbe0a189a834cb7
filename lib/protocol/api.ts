/** Response shapes of the dashboard's REST API (`/api/*`), shared by the server and the browser. */
import type { UsageTotals } from '../trace/usageRollup';

/** One row of `GET /api/traces`. */
export interface TraceSummary {
  trace_id: string;
  first_seq: number;
  last_seq: number;
  start_ts: number;
  end_ts: number;
  events: number;
  agents: string[];
  errors: number;
  /** Tokens and cost of the trace's model calls (in `GET /api/traces`). */
  usage?: UsageTotals;
}

/** Whether the event log can be written (see server/store/storageHealth.ts). */
export type StorageState = 'ok' | 'unavailable' | 'corrupt';

export interface StorageStatus {
  state: StorageState;
  /** What the last failure said (SQLite code and message). */
  reason: string | null;
  /** When the state last changed (ms since epoch). */
  since: number;
}

/** `GET /api/health` (and the relay's `GET /healthz`, which has `ok`, `head` and `storage`). */
export interface HealthResponse {
  ok: boolean;
  head: number;
  agents: number;
  storage: StorageStatus;
}
