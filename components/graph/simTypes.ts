/**
 * The graph's nodes and links as the simulation, the scene and the drawing share them. Their own
 * module so the drawing and the pixel node layer can both use them without importing each other.
 */
import type { SimulationLinkDatum, SimulationNodeDatum } from 'd3-force';
import type { GraphLink, GraphNode } from '../../lib/graph/buildGraph';

export type SimNode = GraphNode & SimulationNodeDatum & {
  flashUntil?: number;
  /** The built node this one last copied (unchanged object: nothing to copy). */
  from?: GraphNode;
};
export type SimLink = Omit<GraphLink, 'source' | 'target'> & SimulationLinkDatum<SimNode>;
