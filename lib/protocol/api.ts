/** Response shapes of the dashboard's REST API (`/api/*`), shared by the server and the browser. */

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
}
