/**
 * One graph per store state: the canvas and its accessible list view both need the graph of
 * the same overview, and at 20,000 agents building it twice per delta is a visible cost. A
 * one-entry cache keyed by the inputs' identities (the store replaces them on change).
 */
import type { AgentStatus } from '../model/swarmModel';
import type { AgentView, EdgeView } from '../client/overviewState';
import { buildGraph } from './buildGraph';

export interface GraphInputs {
  agents: ReadonlyMap<string, AgentView>;
  edges: ReadonlyMap<string, EdgeView>;
  stateFilter: readonly AgentStatus[];
  topicFilter: string | null;
  grouping: 'auto' | 'always' | 'never';
}

let last: { inputs: GraphInputs; graph: ReturnType<typeof buildGraph> } | null = null;

const same = (a: GraphInputs, b: GraphInputs) => a.agents === b.agents && a.edges === b.edges && a.stateFilter === b.stateFilter && a.topicFilter === b.topicFilter && a.grouping === b.grouping;

/** buildGraph, reusing the last result for identical inputs. The result is shared: read it, never mutate it. */
export function graphOf(inputs: GraphInputs): ReturnType<typeof buildGraph> {
  if (last && same(last.inputs, inputs)) return last.graph;
  const graph = buildGraph(inputs.agents, inputs.edges, { states: inputs.stateFilter.length ? new Set(inputs.stateFilter) : undefined, topic: inputs.topicFilter, group: inputs.grouping });
  last = { inputs: { ...inputs }, graph };
  return graph;
}
