'use client';
/** The selected aligned step's text in A and B, side by side, with the diverging tail marked. */
import { divergenceAt, type AlignedRow } from '../../lib/trace/alignTraces';

const MAX = 4000;

export function TextDiff({ row }: { row: AlignedRow }) {
  const a = row.a?.text ?? '';
  const b = row.b?.text ?? '';
  const at = divergenceAt(a, b);
  const side = (label: string, text: string, present: boolean) => (
    <div className="text-diff-side">
      <h3>
        {label}: text of <b>{(row.a ?? row.b)!.agent}</b> · {(row.a ?? row.b)!.name} {present ? '' : <span className="muted">(step not taken)</span>}
        {at !== null && present ? <span className="muted"> — differs from character {at + 1}</span> : null}
      </h3>
      <pre className="node-text">
        {at === null ? (
          text.slice(0, MAX) || <span className="muted">(no tokens)</span>
        ) : (
          <>
            {text.slice(0, Math.min(at, MAX))}
            <mark className="diverge" data-testid="text-diverge">
              {text.slice(at, MAX) || '∅'}
            </mark>
          </>
        )}
      </pre>
      {(label === 'A' ? row.a?.error : row.b?.error) ? <p className="error-text small">{label === 'A' ? row.a?.error : row.b?.error}</p> : null}
    </div>
  );
  return (
    <section className="text-diff" aria-label="text of the selected step" data-testid="text-diff">
      {side('A', a, row.a !== null)}
      {side('B', b, row.b !== null)}
    </section>
  );
}
