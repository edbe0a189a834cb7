'use client';
/** Time-travel replay: a scrubber and play/pause at 1×, 4×, 16× over the trace's recorded timing. */
import { useEffect, useRef } from 'react';

export interface ReplayState {
  playhead: number | null;
  playing: boolean;
  speed: number;
}

export function ReplayBar({ start, end, state, onChange, loading }: { start: number; end: number; state: ReplayState; onChange: (s: ReplayState) => void; loading: boolean }) {
  const ref = useRef(state);
  ref.current = state;
  useEffect(() => {
    // Hold the playhead until the token timeline has loaded: playing without it would show the full text.
    if (!state.playing || loading) return;
    let raf = 0;
    let last = performance.now();
    const step = (now: number) => {
      const s = ref.current;
      const next = Math.min(end, (s.playhead ?? start) + (now - last) * s.speed);
      last = now;
      onChange({ ...s, playhead: next, playing: next < end });
      if (next < end) raf = requestAnimationFrame(step);
    };
    raf = requestAnimationFrame(step);
    return () => cancelAnimationFrame(raf);
  }, [state.playing, loading, start, end, onChange]);
  const at = state.playhead ?? end;
  return (
    <div className="replay" aria-label="replay">
      <button
        type="button"
        data-testid="replay-play"
        onClick={() => onChange({ ...state, playing: !state.playing, playhead: state.playing ? state.playhead : state.playhead === null || state.playhead >= end ? start : state.playhead })}
        disabled={loading}
      >
        {loading ? 'Loading…' : state.playing ? 'Pause' : 'Replay'}
      </button>
      {[1, 4, 16].map((s) => (
        <button key={s} type="button" aria-pressed={state.speed === s} onClick={() => onChange({ ...state, speed: s })}>
          {s}×
        </button>
      ))}
      <input
        type="range"
        aria-label="Playhead"
        data-testid="replay-scrubber"
        min={start}
        max={Math.max(end, start + 1)}
        step={1}
        value={at}
        onChange={(e) => onChange({ ...state, playing: false, playhead: Number(e.target.value) })}
      />
      <span className="muted small" data-testid="replay-time">
        +{Math.max(0, Math.round(at - start))} ms / {Math.round(end - start)} ms
      </span>
      {state.playhead !== null ? (
        <button type="button" className="ghost" onClick={() => onChange({ playhead: null, playing: false, speed: state.speed })}>
          Live
        </button>
      ) : null}
    </div>
  );
}
