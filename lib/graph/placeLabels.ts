/**
 * Greedy label placement: labels in priority order (selected, hovered, search matches, then
 * the busiest nodes), each kept only if its screen box overlaps no label already placed.
 * A uniform grid of buckets keeps it near-linear for thousands of candidates.
 */
export interface LabelBox {
  id: string;
  /** Screen box: left, top, width, height. */
  x: number;
  y: number;
  w: number;
  h: number;
  priority: number;
}

export function placeLabels(candidates: readonly LabelBox[], cell = 64): Set<string> {
  const sorted = [...candidates].sort((a, b) => b.priority - a.priority);
  const grid = new Map<number, LabelBox[]>();
  const key = (cx: number, cy: number) => cx * 100_003 + cy;
  const placed = new Set<string>();
  for (const b of sorted) {
    const cx0 = Math.floor(b.x / cell);
    const cx1 = Math.floor((b.x + b.w) / cell);
    const cy0 = Math.floor(b.y / cell);
    const cy1 = Math.floor((b.y + b.h) / cell);
    let clash = false;
    for (let cx = cx0; cx <= cx1 && !clash; cx++)
      for (let cy = cy0; cy <= cy1 && !clash; cy++)
        for (const o of grid.get(key(cx, cy)) ?? []) {
          if (b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h) {
            clash = true;
            break;
          }
        }
    if (clash) continue;
    placed.add(b.id);
    for (let cx = cx0; cx <= cx1; cx++)
      for (let cy = cy0; cy <= cy1; cy++) {
        const k = key(cx, cy);
        let list = grid.get(k);
        if (!list) grid.set(k, (list = []));
        list.push(b);
      }
  }
  return placed;
}
