'use client';
import { useQuery } from '@tanstack/react-query';
import { healthQuery } from '../lib/client/queries';

/**
 * Says so when the server cannot write its event log (disk full, I/O error, damaged file):
 * agents' events are being refused, so what the dashboard shows is not the whole swarm.
 * Polls /api/health; silent while the log is writable or the health call itself fails
 * (the connection banner covers a server that is down).
 */
export function StorageBanner() {
  const health = useQuery(healthQuery());
  const storage = health.data?.storage;
  if (!storage || storage.state === 'ok') return null;
  const since = new Date(storage.since).toLocaleTimeString();
  return (
    <div role="alert" className="banner banner-storage" data-testid="storage-banner" data-state={storage.state}>
      {storage.state === 'corrupt'
        ? `The event log file is damaged (since ${since}): new events are refused until it is recovered — see README, Operations.`
        : `The event log is not writable (since ${since}): new events are refused until space returns; ingest resumes by itself.`}
      {storage.reason ? <span className="muted small"> ({storage.reason})</span> : null}
    </div>
  );
}
