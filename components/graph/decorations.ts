/** Pure: which nodes of the graph carry a mark of their own, so a frame of 20,000 nodes draws those few without walking them all. */
import type { SimNode } from './simTypes';

/** The nodes with a decoration whatever the pointer does: an error halo still pulsing at `now`, a group ring, a load ring. */
export function decorationCandidates(nodes: readonly SimNode[], now: number): SimNode[] {
  return nodes.filter((n) => (n.flashUntil !== undefined && n.flashUntil > now) || n.kind === 'group' || (!!n.load && n.load.max > 0 && n.load.active > 0));
}
