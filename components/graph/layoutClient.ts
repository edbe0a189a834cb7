/**
 * The page's side of the layout worker: sends graph shapes and drags, receives positions
 * (transferred Float32Arrays) and warm-up progress.
 */
import type { FromLayout, GraphMessage, ToLayout } from '../../lib/graph/layoutMessages';

export interface LayoutEvents {
  positions(version: number, xy: Float32Array): void;
  warmup(pct: number | null): void;
}

export class LayoutClient {
  private readonly worker: Worker;

  constructor(events: LayoutEvents) {
    // The literal `new Worker(new URL(…, import.meta.url))` form is what the bundler recognises and emits as its own chunk.
    this.worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module', name: 'swarm-layout' });
    this.worker.onmessage = (e: MessageEvent<FromLayout>) => {
      const m = e.data;
      switch (m.type) {
        case 'positions':
          events.positions(m.version, m.xy);
          break;
        case 'warmup':
          events.warmup(m.pct);
          break;
        default: {
          const never: never = m;
          throw new Error(`unknown layout reply ${(never as { type: string }).type}`);
        }
      }
    };
  }

  private send(m: ToLayout, transfer: Transferable[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  setGraph(m: GraphMessage): void {
    // The typed arrays are built for this message only: hand them over instead of copying.
    this.send(m, [m.radius.buffer, m.links.buffer, m.linkKinds.buffer]);
  }

  pin(id: string, x: number, y: number): void {
    this.send({ type: 'pin', id, x, y });
  }

  unpin(id: string): void {
    this.send({ type: 'unpin', id });
  }

  destroy(): void {
    this.send({ type: 'stop' });
    this.worker.terminate();
  }
}
