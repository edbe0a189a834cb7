/**
 * The derived keys every layer must agree on (the live model, the graph, the trace view, the
 * server's routes and indexes). Built here only: a key rebuilt by hand elsewhere drifts.
 */

/**
 * One key per swarm edge. Joined with spaces, which agent names and topics cannot hold: with
 * `->` and a `topic:` prefix, an agent named `topic:a` calling `b` and topic `a` heard by `b`
 * were one edge.
 */
export function edgeKey(kind: 'call' | 'topic', from: string, to: string): string {
  return `${kind} ${from} ${to}`;
}

/** A span across traces (span ids are unique only within their trace). */
export const spanKey = (traceId: string, spanId: string): string => `${traceId}/${spanId}`;

/**
 * The trace-tree node an event belongs to: its span, or for tokens sent outside any span the
 * agent's loose stream (`stream:<agent>`, which no hex span id can equal).
 */
export function traceNodeId(spanId: string | null, agent: string): string {
  return spanId ?? `stream:${agent}`;
}
