/**
 * A reconstructed trace as exportable spans (`GET /api/traces/:id?format=otlp`): relay calls
 * and spans from agents that know nothing of OpenTelemetry become GenAI-flavoured OTLP spans,
 * with X-Ray's own knowledge (agent as attributed, token count, time to first token, usage,
 * request/response text) as attributes.
 */
import type { Attributes } from '../../../lib/protocol/events';
import type { TraceNode, TraceTree } from '../../../lib/trace/buildTrace';
import { exportSpanId, type ExportSpan } from './exportSpan';

export function nodeAttributes(n: Pick<TraceNode, 'agent' | 'kind' | 'caller' | 'name' | 'tokens' | 'timeToFirstTokenMs' | 'model' | 'operation' | 'usage' | 'request' | 'response' | 'sessionId' | 'attributes'>): Attributes {
  const a: Attributes = { ...n.attributes };
  a['gen_ai.agent.name'] = n.agent;
  if (n.kind === 'call') {
    a['gen_ai.operation.name'] ??= 'invoke_agent';
    if (n.caller) a['xray.call.caller'] = n.caller;
    a['xray.call.method'] = n.name;
  }
  if (n.operation) a['gen_ai.operation.name'] ??= n.operation;
  if (n.model) a['gen_ai.request.model'] ??= n.model;
  if (n.usage.input !== null) a['gen_ai.usage.input_tokens'] ??= n.usage.input;
  if (n.usage.output !== null) a['gen_ai.usage.output_tokens'] ??= n.usage.output;
  if (n.tokens) a['xray.tokens'] = n.tokens;
  if (n.timeToFirstTokenMs !== null) a['xray.time_to_first_token_ms'] = n.timeToFirstTokenMs;
  if (n.sessionId) a['gen_ai.conversation.id'] ??= n.sessionId;
  // Readable content for backends that show OpenInference's input/output (Phoenix, Langfuse).
  if (n.request !== null) a['input.value'] ??= n.request;
  if (n.response !== null) a['output.value'] ??= n.response;
  return a;
}

export function traceToSpans(t: TraceTree): ExportSpan[] {
  return t.order.map((id) => {
    const n = t.nodes[id];
    const attributes = nodeAttributes(n);
    if (n.text && !n.attributes['output.value'] && n.response === null) attributes['output.value'] = n.text;
    return {
      traceId: t.traceId,
      spanId: exportSpanId(n.id),
      parentSpanId: n.parentId ? exportSpanId(n.parentId) : null,
      name: n.kind === 'call' ? `${n.name} ${n.agent}` : n.name,
      kind: n.kind === 'call' ? 3 : 1,
      startMs: n.start,
      endMs: n.end ?? t.end,
      agent: n.agent,
      attributes,
      status: n.status === 'error' || n.status === 'timeout' ? 'error' : 'ok',
      error: n.error,
    };
  });
}
