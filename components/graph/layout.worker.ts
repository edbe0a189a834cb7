/**
 * The layout worker: runs the swarm graph's d3-force simulation off the page's main thread
 * and posts positions back as transferred Float32Arrays (see lib/graph/layoutMessages.ts).
 * At 5,000 nodes one many-body tick costs tens of milliseconds — a whole frame budget — so
 * it must not share the thread that draws and handles input.
 */
import { ForceLayout } from '../../lib/graph/forceLayout';
import { WARMUP_TICKS } from '../../lib/graph/forceLayout';
import type { FromLayout, ToLayout } from '../../lib/graph/layoutMessages';

/** About one tick per display frame, like a frame loop: the worker shares two cores with the page, so it does not spin flat out. */
const TICK_EVERY_MS = 16;
/**
 * Past this many nodes, one tick per two frames: a tick then costs tens of milliseconds of a
 * core the page needs too, and each tick's positions cost the page a full redraw. The layout
 * settles in twice the time; the page keeps its 60 Hz for input and pan/zoom.
 */
const LARGE_GRAPH = 2000;
const LARGE_TICK_EVERY_MS = 33;
/** A warm-up ticks in slices this long between messages, so new graphs and pins are still taken in between. */
const WARMUP_SLICE_MS = 12;

const scope = self as unknown as { onmessage: ((e: MessageEvent<ToLayout>) => void) | null; postMessage(m: FromLayout, transfer?: Transferable[]): void };
const layout = new ForceLayout();
let timer: ReturnType<typeof setTimeout> | null = null;

const post = (m: FromLayout, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

function postPositions(): void {
  const xy = layout.positions();
  post({ type: 'positions', version: layout.version, xy }, [xy.buffer]);
}

function schedule(delay = 0): void {
  if (timer === null) timer = setTimeout(run, delay);
}

function run(): void {
  timer = null;
  const started = performance.now();
  if (layout.warmupLeft > 0) {
    do layout.tick();
    while (layout.warmupLeft > 0 && performance.now() - started < WARMUP_SLICE_MS);
    if (layout.warmupLeft > 0) {
      post({ type: 'warmup', pct: Math.round(((WARMUP_TICKS - layout.warmupLeft) / WARMUP_TICKS) * 100) });
      schedule();
      return;
    }
    post({ type: 'warmup', pct: null });
    postPositions();
  } else if (layout.active()) {
    layout.tick();
    postPositions();
  } else return; // settled: sleep until a message wakes the layout
  const every = layout.size() > LARGE_GRAPH ? LARGE_TICK_EVERY_MS : TICK_EVERY_MS;
  schedule(Math.max(0, every - (performance.now() - started)));
}

scope.onmessage = (e) => {
  const m = e.data;
  switch (m.type) {
    case 'graph':
      layout.setGraph(m);
      // The page needs positions for this node order even when nothing moves any more.
      if (layout.warmupLeft === 0) postPositions();
      break;
    case 'pin':
      layout.pin(m.id, m.x, m.y);
      break;
    case 'unpin':
      layout.unpin(m.id);
      break;
    case 'stop':
      if (timer !== null) clearTimeout(timer);
      timer = null;
      return;
    default: {
      const never: never = m;
      throw new Error(`unknown layout message ${(never as { type: string }).type}`);
    }
  }
  schedule();
};
