'use client';
/** The waterfall's time axis: ticks over the track column and, while the pointer is over the rows, a readout of the time under it. */
import { memo } from 'react';
import { timeTicks, formatDuration } from '../../lib/trace/timeAxis';

/** Memoized: the waterfall re-renders on every fold and scroll block, the axis only when its inputs change. */
export const TimeAxis = memo(function TimeAxis({ span, cursor, playhead }: { span: number; cursor: number | null; playhead: number | null }) {
  const ticks = timeTicks(span, 6);
  return (
    <div className="wf-axis" aria-hidden data-testid="time-axis">
      <div className="wf-axis-label muted small">span · agent · method</div>
      <div className="wf-axis-track">
        {ticks.map((t) => (
          <span key={t.at} className="wf-tick" data-testid="axis-tick" style={{ left: `${(t.at / span) * 100}%` }}>
            <span className="wf-tick-label">{t.label}</span>
          </span>
        ))}
        {playhead !== null ? <span className="wf-playhead-head" style={{ left: `${(playhead / span) * 100}%` }} /> : null}
        {cursor !== null ? (
          <span className="wf-cursor-readout" data-testid="cursor-readout" style={{ left: `${(cursor / span) * 100}%` }}>
            +{formatDuration(cursor)}
          </span>
        ) : null}
      </div>
    </div>
  );
});
