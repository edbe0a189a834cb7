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
