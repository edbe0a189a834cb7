/**
 * Telemetry as coordination, in the demo swarm (seeds/telemetry-as-coordination.txt):
 * a `security-scanner` agent records `security_scan_complete` spans carrying
 * `vulnerabilities.critical`; the orchestrator does not wait on the scanner's reply — it
 * watches the spans the scanner leaves (one watch for all releases) and, to "merge", must
 * pass the `security_scan` evidence gate by citing the scan's span. Now and then it claims
 * without evidence or cites the wrong span, and the gate refuses it (then it retries with
 * the right span: that is what the first-attempt pass rate counts).
 */
import { mintTraceId } from '../lib/protocol/ids';
import type { WireSpan } from '../lib/protocol/spans';
import { XrayAgent } from '../lib/sdk/xrayAgent';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ReleaseOptions {
  relayUrl: string;
  /** Milliseconds between releases. */
  intervalMs?: number;
  /** Probability of a claim without evidence / citing the wrong span / a scan finding criticals. */
  noEvidenceRate?: number;
  wrongSpanRate?: number;
  criticalRate?: number;
  log?: (line: string) => void;
}

export class DemoRelease {
  readonly scanner: XrayAgent;
  private readonly waiting = new Map<string, (span: WireSpan) => void>();
  private timer: NodeJS.Timeout | null = null;
  private running = true;
  readonly stats = { releases: 0, merged: 0, blocked: 0, refused: 0 };

  constructor(
    private readonly orchestrator: XrayAgent,
    private readonly o: ReleaseOptions,
  ) {
    this.scanner = XrayAgent.connect({ url: o.relayUrl, name: 'security-scanner', capabilities: ['scan'] });
    this.scanner.handle('scan', async (payload, call) => {
      const { repo } = JSON.parse(payload) as { repo: string };
      await call.span('security_scan_complete', async (span) => {
        await sleep(150 + Math.random() * 450);
        const critical = Math.random() < (o.criticalRate ?? 0.04) ? 1 + Math.floor(Math.random() * 3) : 0;
        span.setAttributes({ 'vulnerabilities.critical': critical, 'vulnerabilities.high': Math.floor(Math.random() * 4), 'scan.tool': 'trivy', 'scan.target': repo });
      });
      return 'scanned';
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.scanner.ready(), this.orchestrator.ready()]);
    // Stigmergy: one watch on the scanner's results; each release waits for its own trace's.
    await this.orchestrator.watch('span[name="security_scan_complete" agent="security-scanner"]', (span) => this.waiting.get(span.trace_id)?.(span));
    const tick = () => {
      if (!this.running) return;
      void this.release().catch((err: Error) => this.running && this.o.log?.(`release failed: ${err.message}`));
      this.timer = setTimeout(tick, this.o.intervalMs ?? 3000);
    };
    tick();
  }

  private waitForScan(traceId: string, timeoutMs: number): Promise<WireSpan | null> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiting.delete(traceId);
        resolve(null);
      }, timeoutMs);
      this.waiting.set(traceId, (span) => {
        clearTimeout(t);
        this.waiting.delete(traceId);
        resolve(span);
      });
    });
  }

  private async release(): Promise<void> {
    const n = ++this.stats.releases;
    const traceId = mintTraceId();
    const orch = this.orchestrator;
    await orch.span(
      'release',
      async (release) => {
        const scanned = this.waitForScan(traceId, 15_000);
        void orch.call('security-scanner', 'scan', JSON.stringify({ repo: `service-${n % 5}` }), { traceId, parentSpanId: release.spanId }).catch(() => undefined);
        const scan = await scanned;
        if (!scan) throw new Error('no security scan landed in time');
        const roll = Math.random();
        const noEvidence = roll < (this.o.noEvidenceRate ?? 0.03);
        const wrongSpan = !noEvidence && roll < (this.o.noEvidenceRate ?? 0.03) + (this.o.wrongSpanRate ?? 0.03);
        // The occasional hallucinated compliance: no citation, or the release's own span.
        const evidence = noEvidence ? [] : [{ span_id: wrongSpan ? release.spanId : scan.span_id, trace_id: traceId }];
        let verdict = await orch.gate('security_scan', evidence, { traceId, parentSpanId: release.spanId });
        if (verdict.verdict === 'fail' && (noEvidence || wrongSpan)) {
          this.stats.refused++;
          this.o.log?.(`release ${n}: gate refused the claim (${verdict.requirements.find((r) => !r.ok)?.reason}); citing the scan`);
          verdict = await orch.gate('security_scan', [{ span_id: scan.span_id, trace_id: traceId }], { traceId, parentSpanId: release.spanId });
        }
        release.setAttributes({ 'gate.verdict': verdict.verdict, 'gate.attempts': verdict.attempt });
        if (verdict.verdict !== 'pass') {
          this.stats.blocked++;
          this.o.log?.(`release ${n}: blocked by security_scan (${verdict.requirements.find((r) => !r.ok)?.reason})`);
          return;
        }
        await orch.span('merge', async (merge) => {
          merge.setAttributes({ 'merge.evidence': scan.span_id });
          await sleep(50);
        }, { traceId, parentSpanId: release.spanId, attributes: { 'vcs.branch': 'main' } });
        this.stats.merged++;
      },
      { traceId, attributes: { 'release.number': n } },
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.scanner.close(500);
  }
}
