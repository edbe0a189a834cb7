/**
 * Every condition kind a rule may name. A new kind (gate pass rate, cost per window, span
 * selector match) is one file implementing ConditionKind plus one line here.
 */
import type { ConditionKind } from '../condition';
import { agentGone } from './agentGone';
import { errorShare } from './errorShare';
import { latencyQuantile } from './latencyQuantile';
import { silence } from './silence';
import { tokens } from './tokens';
import { gatePassRate } from './gatePassRate';
import { cost } from './cost';
import { spanMatch } from './spanMatch';

export const CONDITION_KINDS: readonly ConditionKind[] = [errorShare, latencyQuantile, agentGone, silence, tokens, gatePassRate, cost, spanMatch];

export const conditionKindByName = new Map<string, ConditionKind>(CONDITION_KINDS.map((k) => [k.kind, k]));
