/**
 * Which agent each live span works for, for the swarm graph. A span that names its own agent
 * is that agent's; one that names none is its nearest ancestor's — and its parent may be
 * exported in a later batch, so such spans wait for the parent and resolve when it lands.
 * An agent-invocation span (GenAI invoke_agent, an OpenInference AGENT span, an AI SDK run)
 * under another agent's span is a call between agents: the graph draws that edge, which is
 * how OTLP-only swarms get their edges. Bounded: the oldest spans and waits are forgotten.
 */

export interface SpanAgentEntry {
  /** Resolved agent; null while waiting for an ancestor. */
  agent: string | null;
  own: boolean;
  invocation: boolean;
  parentKey: string | null;
}

export interface SpanAgentIndex {
  spans: Map<string, SpanAgentEntry>;
  /** Parent key → children waiting for it. */
  waiting: Map<string, string[]>;
  limit: number;
}

/** A span whose agent became known, and the agent that called it (for an invocation under another agent). */
export interface SpanResolution {
  key: string;
  agent: string;
  caller: string | null;
}

export const SPAN_INDEX_LIMIT = 50_000;

export function createSpanAgentIndex(limit = SPAN_INDEX_LIMIT): SpanAgentIndex {
  return { spans: new Map(), waiting: new Map(), limit };
}

export { spanKey } from './keys';

function remember<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key); // re-insert at the young end
  map.set(key, value);
  while (map.size > limit) map.delete(map.keys().next().value as K);
}

/**
 * Records a span and returns every span whose agent is now known (this one, and descendants
 * that were waiting for it), each with its caller when it is a call between agents.
 */
export function recordSpan(index: SpanAgentIndex, key: string, parentKey: string | null, ownAgent: string | null, invocation: boolean, fallback: string): SpanResolution[] {
  const entry: SpanAgentEntry = { agent: ownAgent, own: ownAgent !== null, invocation, parentKey };
  remember(index.spans, key, entry, index.limit);
  const parent = parentKey ? index.spans.get(parentKey) : undefined;
  if (!entry.own) {
    if (!parentKey) entry.agent = fallback; // a root naming no agent: the service is all we know
    else if (parent?.agent) entry.agent = parent.agent;
  }
  if (parentKey && !parent?.agent && (!entry.own || invocation)) {
    // The parent (or its own ancestor) has not landed yet: resolve or connect when it does.
    const list = index.waiting.get(parentKey) ?? [];
    if (list.length < 1000) list.push(key);
    remember(index.waiting, parentKey, list, index.limit);
  }
  const out: SpanResolution[] = [];
  if (entry.agent) out.push({ key, agent: entry.agent, caller: callerOf(entry, parent) });
  if (entry.agent) resolveWaiting(index, key, entry.agent, out);
  return out;
}

function callerOf(entry: SpanAgentEntry, parent: SpanAgentEntry | undefined): string | null {
  return entry.own && entry.invocation && parent?.agent && parent.agent !== entry.agent ? parent.agent : null;
}

function resolveWaiting(index: SpanAgentIndex, rootKey: string, rootAgent: string, out: SpanResolution[]): void {
  // Iterative: a deep chain of late parents must not overflow the stack.
  const stack: [string, string][] = [[rootKey, rootAgent]];
  while (stack.length) {
    const [parentKey, parentAgent] = stack.pop()!;
    const children = index.waiting.get(parentKey);
    if (!children) continue;
    index.waiting.delete(parentKey);
    for (const childKey of children) {
      const child = index.spans.get(childKey);
      if (!child) continue;
      if (child.own) {
        if (child.invocation && child.agent !== parentAgent) out.push({ key: childKey, agent: child.agent!, caller: parentAgent });
        continue;
      }
      if (child.agent) continue;
      child.agent = parentAgent;
      out.push({ key: childKey, agent: parentAgent, caller: null });
      stack.push([childKey, parentAgent]);
    }
  }
}

export function agentOfSpan(index: SpanAgentIndex, key: string): string | null {
  return index.spans.get(key)?.agent ?? null;
}
