'use client';
/**
 * The Gates page: every configured evidence gate with its requirements, first-attempt pass
 * rate, checks over time, and its recent verdicts — each linked to the trace it was recorded
 * in and to the evidence span it cited (or flagged when the citation was never recorded).
 */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { checkSeries, formatRate } from '../../lib/gates/checkSeries';
import { gateChecksQuery, gatesQuery, type GateSummary } from '../../lib/client/queries';
import type { GateCheckRecord } from '../../lib/protocol/spans';

function Sparkline({ checks, now }: { checks: GateCheckRecord[]; now: number }) {
  const series = checkSeries(checks, now, 30, 10_000);
  const max = Math.max(1, ...series.map((b) => b.pass + b.fail));
  const w = 6;
  const h = 36;
  return (
    <svg className="gate-spark" width={series.length * (w + 2)} height={h} role="img" aria-label="checks over the last 5 minutes: passes and refusals">
      {series.map((b, i) => {
        const ph = (b.pass / max) * h;
        const fh = (b.fail / max) * h;
        return (
          <g key={b.start}>
            <rect x={i * (w + 2)} y={h - ph} width={w} height={ph} className="spark-pass" />
            <rect x={i * (w + 2)} y={h - ph - fh} width={w} height={fh} className="spark-fail" />
          </g>
        );
      })}
    </svg>
  );
}

function EvidenceLinks({ check }: { check: GateCheckRecord }) {
  if (!check.evidence.length) return <span className="muted">none cited</span>;
  return (
    <>
      {check.evidence.map((e) => {
        const resolved = check.requirements.find((r) => r.span_id === e.span_id && r.trace_id);
        const trace = e.trace_id ?? resolved?.trace_id;
        return trace ? (
          <Link key={e.span_id} href={`/trace/${trace}?span=${e.span_id}`} data-testid="evidence-link" className="evidence">
            <code>{e.span_id}</code>
          </Link>
        ) : (
          <span key={e.span_id} className="evidence unknown" title="no span with this id was recorded">
            <code>{e.span_id}</code> ?
          </span>
        );
      })}
    </>
  );
}

function GateCard({ gate, now }: { gate: GateSummary; now: number }) {
  const checks = useQuery(gateChecksQuery(gate.name, 200));
  const s = gate.stats;
  return (
    <section className="gate-card" aria-label={`gate ${gate.name}`} data-testid="gate-card">
      <header className="panel-head">
        <h2>{gate.name}</h2>
        <span className="gate-rate" title={`${s.first_attempt_passes} of ${s.first_attempts} traces passed on the first attempt`}>
          first-attempt pass rate <b data-testid="first-attempt-rate" className={s.first_attempt_pass_rate !== null && s.first_attempt_pass_rate < 0.9 ? 'low' : undefined}>{formatRate(s.first_attempt_pass_rate)}</b>
        </span>
        <span className="muted small">
          {s.checks} checks · {s.passes} passed
        </span>
        <div className="spacer" />
        {checks.data ? <Sparkline checks={checks.data.checks} now={now} /> : null}
      </header>
      <ul className="gate-reqs">
        {gate.requirements.map((r) => (
          <li key={r.name}>
            <code>{r.span_name ?? 'span'}</code>
            {r.required_attributes.map((a) => (
              <span key={a} className="chip">
                {a}
              </span>
            ))}
            {r.selector ? <code className="chip">{r.selector}</code> : null}
            {r.max_age ? <span className="chip">max age {r.max_age}</span> : null}
            {r.same_trace ? <span className="chip">same trace</span> : null}
          </li>
        ))}
      </ul>
      {checks.isPending ? <p className="placeholder">Loading verdicts…</p> : null}
      {checks.isError ? <p className="placeholder error-text" role="alert">Could not load verdicts: {checks.error.message}</p> : null}
      {checks.data && !checks.data.checks.length ? <p className="placeholder">No checks yet. Agents ask with POST /v1/gates/{gate.name}/check.</p> : null}
      {checks.data && checks.data.checks.length ? (
        <table className="agents" aria-label={`verdicts of ${gate.name}`}>
          <thead>
            <tr>
              <th>time</th>
              <th>verdict</th>
              <th className="num">attempt</th>
              <th>agent</th>
              <th>evidence</th>
              <th>reason</th>
              <th>trace</th>
            </tr>
          </thead>
          <tbody>
            {checks.data.checks.slice(0, 20).map((c) => (
              <tr key={c.seq} data-testid="verdict-row" data-verdict={c.verdict}>
                <td>{new Date(c.ts).toLocaleTimeString()}</td>
                <td>
                  <span className={`state state-${c.verdict === 'pass' ? 'ok' : 'error'}`}>{c.verdict}</span>
                </td>
                <td className="num">{c.attempt}</td>
                <td>{c.agent}</td>
                <td>
                  <EvidenceLinks check={c} />
                </td>
                <td className="text">{c.requirements.filter((r) => !r.ok).map((r) => r.reason).join('; ') || c.requirements.map((r) => r.reason).join('; ')}</td>
                <td>
                  <Link href={`/trace/${c.trace_id}?span=${c.span_id}`} data-testid="verdict-trace-link">
                    <code>{c.trace_id.slice(0, 8)}…</code>
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

export function GatesView() {
  const q = useQuery(gatesQuery());
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 2000);
    return () => clearInterval(t);
  }, []);
  if (q.isPending) return <p className="placeholder">Loading gates…</p>;
  if (q.isError) return <p className="placeholder error-text" role="alert">Could not load gates: {q.error.message}</p>;
  const { gates, error, file } = q.data;
  return (
    <div className="gates-page">
      {error ? (
        <p className="banner banner-lost" role="alert">
          The gate file has an error; the last good gates stay in force: {error}
        </p>
      ) : null}
      {!gates.length ? (
        <div className="placeholder">
          <p>No evidence gates configured.</p>
          <p className="muted small">{file ? `${file} defines no gates.` : 'Set XRAY_GATES to a YAML file (see README, "Evidence gates").'}</p>
        </div>
      ) : (
        gates.map((g) => <GateCard key={g.name} gate={g} now={now} />)
      )}
    </div>
  );
}
