'use client';
import type { TraceTree } from '../../lib/trace/buildTrace';

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
                {n.text ? <q className="produced">{n.text.length > 140 ? `${n.text.slice(0, 140)}…` : n.text}</q> : null}
                {isCause && n.error ? <div className="error-text">{n.error}</div> : null}
              </li>
            );
          })}
        </ol>
      ))}
    </section>
  );
}
