'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { alertsSummaryQuery } from '../../lib/client/alertQueries';
import styles from './alerts.module.css';

/** The top bar's bell: how many alerts are firing (polled), a link to the Alerts page. */
export function AlertBell() {
  const q = useQuery(alertsSummaryQuery());
  const firing = q.data?.firing ?? 0;
  const label = q.isError ? 'Alerts (status unavailable)' : firing ? `Alerts: ${firing} firing` : 'Alerts: none firing';
  return (
    <Link href="/alerts" className={styles.bell} aria-label={label} title={q.data?.rules_error ? 'The alert rule file is refused: see the Alerts page' : label} data-testid="alert-bell">
      <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2">
        <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
      </svg>
      {firing ? (
        <span className={styles.count} data-testid="alert-count">
          {firing}
        </span>
      ) : null}
      {q.data?.rules_error ? <span className={styles.warnDot} aria-hidden="true" /> : null}
    </Link>
  );
}
