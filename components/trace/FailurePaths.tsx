'use client';
import type { TraceNode, TraceTree } from '../../lib/trace/buildTrace';

/** What a node produced: its text, or in an outline the preview it keeps. */
const produced = (n: TraceNode): string => n.text || n.preview || '';

/** "Flawed reasoning path": for each root-cause failure, who asked whom, what each produced, where it broke. */
export function FailurePaths({ tree, onSelect }: { tree: TraceTree; onSelect: (id: string) => void }) {
  const roots = tree.failures.filter((f) => f.rootCause);
  if (!roots.length) return null;
  return (
    <section className="failures" aria-label="flawed reasoning paths" data-testid="failure-paths">
      <h2>Flawed reasoning path{roots.length > 1 ? `s (${roots.length})` : ''}</h2>
      {roots.slice(0, 5).map((f) => (
        <ol key={f.nodeId} className="failure-path">
          {f.path.map((id) => {
            const n = tree.nodes[id];
            const isCause = id === f.nodeId;
            return (
              <li key={id} className={isCause ? 'cause' : ''}>
                <button type="button" className="linkish" onClick={() => onSelect(id)}>
                  {n.caller ? `${n.caller} → ` : ''}
                  <b>{n.agent}</b> · {n.name}
                </button>
                <span className={`state state-${n.status}`}>{n.status}</span>
                {produced(n) ? <q className="produced">{produced(n).length > 140 || (n.textChars ?? 0) > 140 ? `${produced(n).slice(0, 140)}…` : produced(n)}</q> : null}
                {isCause && n.error ? <div className="error-text">{n.error}</div> : null}
              </li>
            );
          })}
        </ol>
      ))}
    </section>
  );
}
