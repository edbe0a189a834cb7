'use client';
/**
 * The live force graph. React renders the canvas and the overlays; a GraphController owns the
 * rest (store → scene → layout worker → frame loop, pointer, theme, size) and calls back only
 * for tooltips, warm-up progress and the Fit button — positions never re-render React.
 */
import { useEffect, useRef, useState } from 'react';
import { useXrayStoreApi } from '../XrayProviders';
import type { SimNode } from './drawGraph';
import { GraphController } from './graphController';
import { GraphLegend } from './GraphLegend';
import { LinkTooltip, type LinkHover } from './LinkTooltip';
import type { WindowEdges } from './TimeWindow';

interface Tooltip {
  x: number;
  y: number;
  node: SimNode;
}

export function SwarmGraph({ window: win = null }: { window?: WindowEdges | null }) {
  const store = useXrayStoreApi();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const controller = useRef<GraphController | null>(null);
  const [tooltip, setTooltip] = useState<Tooltip | null>(null);
  const [warmup, setWarmup] = useState<number | null>(null);
  const [linkHover, setLinkHover] = useState<LinkHover | null>(null);
  const [following, setFollowing] = useState(true);
  const windowRef = useRef(win);

  useEffect(() => {
    const c = new GraphController(canvasRef.current!, store, { tooltip: setTooltip, linkHover: setLinkHover, warmup: setWarmup, following: setFollowing });
    c.setWindow(windowRef.current);
    controller.current = c;
    return () => {
      controller.current = null;
      c.destroy();
    };
  }, [store]);

  useEffect(() => {
    windowRef.current = win;
    controller.current?.setWindow(win);
  }, [win]);

  return (
    <div className="graph">
      <canvas ref={canvasRef} className="graph-canvas" aria-label="Force graph of agents and calls; the agent list below mirrors it" role="img" />
      {win ? (
        <div className="window-badge" data-testid="window-badge">
          replaying calls {win.label} from the log
        </div>
      ) : null}
      {warmup !== null ? <div className="graph-overlay">Laying out the swarm… {warmup}%</div> : null}
      <div className="zoom-controls" role="group" aria-label="Zoom">
        <button type="button" aria-label="Zoom in" data-testid="zoom-in" onClick={() => controller.current?.zoom(1.4)}>
          +
        </button>
        <button type="button" aria-label="Zoom out" data-testid="zoom-out" onClick={() => controller.current?.zoom(1 / 1.4)}>
          −
        </button>
        <button type="button" aria-label="Zoom to fit" aria-pressed={following} data-testid="zoom-fit" title="Zoom to fit (follows the swarm until you pan or zoom)" onClick={() => controller.current?.fit()}>
          Fit
        </button>
      </div>
      <GraphLegend />
      {linkHover ? <LinkTooltip hover={linkHover} /> : null}
      {tooltip ? (
        <div className="tooltip" style={{ left: tooltip.x + 14, top: tooltip.y + 14 }}>
          <b>{tooltip.node.kind === 'group' ? `${tooltip.node.label} · ${tooltip.node.members} agents` : tooltip.node.label}</b>
          {tooltip.node.kind !== 'topic' ? (
            <div>
              {tooltip.node.status} · {tooltip.node.tokens} tokens · {tooltip.node.inflight} in flight · {tooltip.node.errors} errors
              {tooltip.node.load ? ` · load ${tooltip.node.load.active}/${tooltip.node.load.max}` : ''}
            </div>
          ) : (
            <div>broadcast topic</div>
          )}
        </div>
      ) : null}
    </div>
  );
}
