'use client';
import { useXray } from './XrayProviders';

/** A visible banner while the live connection is down, and briefly after it resumes. */
export function ConnectionBanner() {
  const status = useXray((s) => s.status);
  const error = useXray((s) => s.error);
  if (status === 'lost') {
    return (
      <div role="alert" className="banner banner-lost" data-testid="connection-lost">
        Connection to the server lost — reconnecting… The view resumes from the last event it saw; nothing is skipped.
        {error ? <span className="muted"> ({error})</span> : null}
      </div>
    );
  }
  if (status === 'unauthorized') {
    return (
      <div role="alert" className="banner banner-lost">
        Not logged in: {error} <a href="/login">Log in</a>
      </div>
    );
  }
  return null;
}
