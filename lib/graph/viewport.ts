/**
 * Pure viewport math for the force graph: the view (pan x/y from the canvas centre, zoom k)
 * that fits every node with a margin, zoom about a screen point, and world→screen mapping.
 */
export interface View {
  k: number;
  x: number;
  y: number;
}

export interface Circle {
  x?: number;
  y?: number;
  radius: number;
}

export const MIN_ZOOM = 0.01;
export const MAX_ZOOM = 8;

/** Zoom and pan so that every node (with its radius and a label below it) lies inside the canvas, `pad` px from the edges. */
export function fitView(nodes: readonly Circle[], width: number, height: number, pad = 40, labelBelow = 16, maxZoom = 2): View {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const n of nodes) {
    if (n.x === undefined || n.y === undefined) continue;
    x0 = Math.min(x0, n.x - n.radius);
    x1 = Math.max(x1, n.x + n.radius);
    y0 = Math.min(y0, n.y - n.radius);
    y1 = Math.max(y1, n.y + n.radius);
  }
  if (!Number.isFinite(x0)) return { k: 1, x: 0, y: 0 };
  const w = Math.max(1, width - pad * 2);
  const h = Math.max(1, height - pad * 2 - labelBelow);
  // No lower clamp: fitting must succeed however far the layout spread.
  const k = Math.max(1e-6, Math.min(maxZoom, w / Math.max(1, x1 - x0), h / Math.max(1, y1 - y0)));
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  // Screen = centre + view offset + world·k; put the bounds' centre at the canvas centre (label room below).
  return { k, x: -cx * k, y: -cy * k - labelBelow / 2 };
}

export const clampZoom = (k: number) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));

/** The view after zooming by `factor` about screen point (sx, sy): the world point under it stays put. */
export function zoomAt(view: View, factor: number, sx: number, sy: number, width: number, height: number): View {
  const k = clampZoom(view.k * factor);
  const wx = (sx - width / 2 - view.x) / view.k;
  const wy = (sy - height / 2 - view.y) / view.k;
  return { k, x: sx - width / 2 - wx * k, y: sy - height / 2 - wy * k };
}

export function toScreen(view: View, width: number, height: number, x: number, y: number): [number, number] {
  return [width / 2 + view.x + x * view.k, height / 2 + view.y + y * view.k];
}

/** Distance from point p to segment ab (screen pixels). */
export function distanceToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}
