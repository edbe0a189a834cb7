/** The filter and grouping fields call-based kinds share: which calls count, and per what. */
import { z } from 'zod';
import { agentName } from '../../protocol/relay';
import type { CallOutcome } from '../condition';

export const callFilterParams = {
  /** Only calls answered by this agent. */
  agent: agentName.optional(),
  /** Only calls answered by agents whose name starts with this. */
  agent_prefix: z.string().min(1).max(128).optional(),
  /** Only calls of this method. */
  method: z.string().min(1).max(256).optional(),
  /** One alert per agent or per method instead of one for all matching calls. */
  by: z.enum(['agent', 'method']).optional(),
};

export interface CallFilter {
  agent?: string;
  agent_prefix?: string;
  method?: string;
  by?: 'agent' | 'method';
}

export function callMatches(f: CallFilter, c: CallOutcome): boolean {
  if (f.agent !== undefined && c.callee !== f.agent) return false;
  if (f.agent_prefix !== undefined && !c.callee.startsWith(f.agent_prefix)) return false;
  if (f.method !== undefined && c.method !== f.method) return false;
  return true;
}

export function callKey(f: CallFilter, c: CallOutcome): string {
  if (f.by === 'agent') return c.callee;
  if (f.by === 'method') return c.method ?? '(unknown)';
  return '';
}

export function agentMatches(f: { agent?: string; agent_prefix?: string }, agent: string): boolean {
  if (f.agent !== undefined && agent !== f.agent) return false;
  if (f.agent_prefix !== undefined && !agent.startsWith(f.agent_prefix)) return false;
  return true;
}
