import { describe, expect, it } from 'vitest';
import type { Attributes } from '../../protocol/events';
import { spanFacts, spanIdentity } from './index';

/** Spans from every convention, including conflicts between them. */
const SPANS: [string, Attributes][] = [
  ['x', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.conversation.id': 'c1' }],
  ['x', { 'gen_ai.operation.name': 'create_agent', 'gen_ai.agent.name': 'w' }],
  ['x', { 'gen_ai.operation.name': 'chat', 'gen_ai.agent.name': 'planner' }],
  ['summarizer', { 'openinference.span.kind': 'AGENT', 'session.id': 's' }],
  ['x', { 'openinference.span.kind': 'agent', 'agent.name': 'r' }],
  ['x', { 'openinference.span.kind': 'LLM', 'session.id': 's2' }],
  ['x', { 'ai.operationId': 'ai.generateText', 'ai.telemetry.functionId': 'writer', 'ai.telemetry.metadata.sessionId': 'm' }],
  ['x', { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.telemetry.functionId': 'writer' }],
  ['x', { 'ai.operationId': 'ai.streamText' }],
  ['x', { 'gen_ai.agent.name': 'a', 'agent.name': 'b', 'ai.telemetry.functionId': 'c', session: 'own', 'gen_ai.conversation.id': 'g' }],
  ['x', { 'gen_ai.conversation.id': 'g', 'session.id': 'o', 'ai.telemetry.metadata.session': 'm' }],
  ['x', {}],
];

describe('span identity (the cheap path used at ingest and commit)', () => {
  it.each(SPANS)('[V3] agrees with spanFacts: %s %j', (name, attributes) => {
    const full = spanFacts(attributes, name);
    expect(spanIdentity(attributes, name)).toEqual({ agentName: full.agentName, isAgentSpan: full.isAgentSpan, sessionId: full.sessionId });
  });
});
