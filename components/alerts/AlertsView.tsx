'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { alertsPageQuery, saveAlertRules } from '../../lib/client/alertQueries';
import type { ActiveAlertView, AlertsPage } from '../../lib/protocol/alerts';
import styles from './alerts.module.css';

const EXAMPLE = `# Rules: error_share, latency_p95, agent_gone, silence, tokens (see README "Alerts").
receivers: []
#  - { name: ops, url: "https://hooks.slack.com/services/…", format: slack }
rules: []
#  - { name: worker errors, kind: error_share, agent: worker-1, window: 1m, above: 0.2, for: 30s, severity: critical }
`;

function formatValue(kind: string, v: number): string {
  if (kind === 'error_share') return `${(v * 100).toFixed(1)}%`;
  if (kind === 'latency_p95') return `${Math.round(v)} ms`;
  if (kind === 'agent_gone' || kind === 'silence') return `${v.toFixed(1)} s`;
  return String(Math.round(v * 1000) / 1000);
}

const time = (ms: number | null) => (ms ? new Date(ms).toLocaleTimeString() : '—');

function Links({ examples, agent }: { examples: readonly string[]; agent: string | null }) {
  return (
    <span className={styles.links}>
      {agent ? (
        <Link href={`/traces?agent=${encodeURIComponent(agent)}`} data-testid="alert-agent-link">
          agent {agent}
        </Link>
      ) : null}
      {[...examples].reverse().map((id) => (
        <Link key={id} href={`/trace/${id}`} data-testid="alert-trace-link" title={`Open trace ${id}`}>
          {id.slice(0, 8)}
        </Link>
      ))}
    </span>
  );
}

function ActiveAlerts({ active }: { active: ActiveAlertView[] }) {
  if (!active.length) return <p className="muted">Nothing firing or pending.</p>;
  const sorted = [...active].sort((a, b) => (a.phase === b.phase ? b.since - a.since : a.phase === 'firing' ? -1 : 1));
  return (
    <table className={styles.table} aria-label="active alerts">
      <thead>
        <tr>
          <th>state</th>
          <th>severity</th>
          <th>rule</th>
          <th>about</th>
          <th>value</th>
          <th>condition</th>
          <th>since</th>
          <th>traces / agent</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((a) => (
          <tr key={`${a.rule}\u0000${a.key}`} data-testid="active-alert">
            <td className={styles[a.phase]}>{a.phase}</td>
            <td>
              <span className={`${styles.sev} ${styles[a.severity]}`}>{a.severity}</span>
            </td>
            <td>{a.rule}</td>
            <td>{a.key || '—'}</td>
            <td>{formatValue(a.kind, a.value)}</td>
            <td className="muted">{a.description}</td>
            <td>{time(a.fired_at ?? a.since)}</td>
            <td>
              <Links examples={a.examples} agent={a.agent} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function History({ history }: { history: AlertsPage['history'] }) {
  if (!history.length) return <p className="muted">No transitions yet.</p>;
  return (
    <table className={styles.table} aria-label="alert history">
      <thead>
        <tr>
          <th>at</th>
          <th>rule</th>
          <th>about</th>
          <th>transition</th>
          <th>value</th>
          <th>traces / agent</th>
        </tr>
      </thead>
      <tbody>
        {history.map((t) => (
          <tr key={t.seq}>
            <td>{time(t.at)}</td>
            <td>{t.rule}</td>
            <td>{t.key || '—'}</td>
            <td>
              <span className="muted">{t.from} →</span> <span className={styles[t.to as 'firing'] ?? ''}>{t.to}</span>
            </td>
            <td>{formatValue(t.kind, t.value)}</td>
            <td>
              <Links examples={t.examples} agent={t.agent} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RulesEditor({ source }: { source: AlertsPage['source'] }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: saveAlertRules,
    onSuccess: (page) => {
      client.setQueryData(alertsPageQuery().queryKey, page);
      setDraft(null);
    },
  });
  const text = draft ?? (source.text || EXAMPLE);
  return (
    <>
      <p className="muted small">
        {source.from_env ? 'XRAY_ALERTS' : 'Kept in the data dir'}: <code>{source.path}</code>
        {source.loaded_at ? ` · loaded ${time(source.loaded_at)}` : ''} · {source.rules.length} rule(s), {source.receivers.length} receiver(s)
      </p>
      {source.error ? (
        <div className={styles.refused} role="alert" data-testid="rules-refused">
          The rule file on disk is refused; the previous rules stay in force. {source.error}
        </div>
      ) : null}
      {source.rules.length ? (
        <ul className="compact">
          {source.rules.map((r) => (
            <li key={r.name}>
              <b>{r.name}</b> <span className="muted">({r.kind}, {r.severity})</span> {r.description}
              {r.for_ms ? ` for ${r.for_ms / 1000} s` : ''}
            </li>
          ))}
        </ul>
      ) : null}
      <textarea aria-label="Alert rules (YAML)" className={styles.editor} spellCheck={false} value={text} onChange={(e) => setDraft(e.target.value)} />
      <div className={styles.row}>
        <button type="button" onClick={() => save.mutate(text)} disabled={save.isPending || draft === null}>
          {save.isPending ? 'Saving…' : 'Save rules'}
        </button>
        {draft !== null ? (
          <button type="button" className="ghost" onClick={() => setDraft(null)}>
            Discard changes
          </button>
        ) : null}
        {save.isError ? (
          <span className="error-text" role="alert" data-testid="rules-save-error">
            Not saved: {save.error.message}
          </span>
        ) : null}
        {save.isSuccess && draft === null ? <span className="muted">Saved and applied.</span> : null}
      </div>
    </>
  );
}

/** The Alerts page: what is firing or pending, the rule file (editable), and the transition history. */
export function AlertsView() {
  const q = useQuery(alertsPageQuery());
  if (q.isPending) return <p className="placeholder">Loading alerts…</p>;
  if (q.isError)
    return (
      <p className="placeholder error-text" role="alert">
        Could not load alerts: {q.error.message}
      </p>
    );
  const page = q.data;
  return (
    <div className={styles.page}>
      <section className={styles.section} aria-labelledby="alerts-active">
        <h2 id="alerts-active">
          Firing {page.firing} · pending {page.pending}
        </h2>
        <ActiveAlerts active={page.active} />
      </section>
      <section className={styles.section} aria-labelledby="alerts-rules">
        <h2 id="alerts-rules">Rules</h2>
        <RulesEditor source={page.source} />
      </section>
      <section className={styles.section} aria-labelledby="alerts-history">
        <h2 id="alerts-history">History</h2>
        <History history={page.history} />
      </section>
    </div>
  );
}
