'use client';
/** "Share / Embed": mints a signed, scoped, expiring embed token and shows the iframe snippet. */
import { useState } from 'react';
import { createEmbedToken } from '../lib/client/queries';
import { CopyButton } from './CopyButton';

const TTLS = [
  { label: '1 hour', s: 3600 },
  { label: '1 day', s: 86_400 },
  { label: '7 days', s: 7 * 86_400 },
  { label: '30 days', s: 30 * 86_400 },
];

export function ShareDialog({ scope, title }: { scope: string; title: string }) {
  const [open, setOpen] = useState(false);
  const [ttl, setTtl] = useState(86_400);
  const [state, setState] = useState<{ status: 'idle' | 'loading' | 'error'; error?: string; url?: string; iframe?: string; expires?: number }>({ status: 'idle' });
  const create = async () => {
    setState({ status: 'loading' });
    try {
      const r = await createEmbedToken(scope, ttl);
      setState({ status: 'idle', url: r.url, iframe: r.iframe, expires: r.expires_at });
    } catch (err) {
      setState({ status: 'error', error: (err as Error).message });
    }
  };
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Share / Embed
      </button>
      {open ? (
        <div className="modal-backdrop" onClick={() => setOpen(false)}>
          <div className="modal" role="dialog" aria-modal="true" aria-label="Share or embed" onClick={(e) => e.stopPropagation()}>
            <h2>Embed {title}</h2>
            <p className="muted small">The link works without a login until it expires, for this view only. Framing is allowed from the origins in EMBED_FRAME_ANCESTORS.</p>
            <label className="inline">
              valid for{' '}
              <select aria-label="Embed lifetime" value={ttl} onChange={(e) => setTtl(Number(e.target.value))}>
                {TTLS.map((t) => (
                  <option key={t.s} value={t.s}>
                    {t.label}
                  </option>
                ))}
              </select>
            </label>{' '}
            <button type="button" onClick={create} disabled={state.status === 'loading'}>
              {state.status === 'loading' ? 'Creating…' : 'Create embed link'}
            </button>
            {state.status === 'error' ? <p className="error-text">Could not create it: {state.error}</p> : null}
            {state.url ? (
              <div className="share-out">
                <label>
                  Link <CopyButton text={state.url} />
                  <input readOnly value={state.url} aria-label="Embed link" onFocus={(e) => e.target.select()} />
                </label>
                <label>
                  iframe <CopyButton text={state.iframe!} />
                  <textarea readOnly value={state.iframe} aria-label="Iframe snippet" rows={3} onFocus={(e) => e.target.select()} />
                </label>
                <p className="muted small">Expires {new Date(state.expires!).toLocaleString()}.</p>
              </div>
            ) : null}
            <button type="button" className="ghost" onClick={() => setOpen(false)}>
              Close
            </button>
          </div>
        </div>
      ) : null}
    </>
  );
}
