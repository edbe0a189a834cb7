/**
 * 4. Slow client: one dashboard client stops reading for S seconds under load. Reports the
 * server's heap growth while it is stalled, the time to catch up after it resumes, and the
 * tokens lost (its text and count against the log; must be 0).
 *
 * Heap is read after a forced full GC (bench/gcOnSignal.mjs), so the figure is memory held
 * live, not garbage V8 has yet to collect: before the stall, then every few seconds while
 * stalled (the highest is the growth).
 */
import { mintTraceId } from '../lib/protocol/ids';
import { scopeKey } from '../lib/protocol/dashboard';
import { TestDashboard } from '../server/testing/dashboardClient';
import { ADMIN_TOKEN, sleep, start, type XrayProc } from './procs';
import { round } from './stats';

/** How often the stalled phase samples the heap (each sample is a full GC in the server). */
const GC_SAMPLE_MS = 5000;

export async function benchSlowClient(x: XrayProc, p: { stallSeconds: number; rate: number; agents: number; pad: number }) {
  const traceId = mintTraceId();
  const scope = { kind: 'trace' as const, traceId };
  const d = new TestDashboard(`http://127.0.0.1:${x.port}`, { authorization: `Bearer ${ADMIN_TOKEN}` });
  await d.connected();
  await d.subscribe({ kind: 'overview' });
  await d.subscribe(scope);
  const skipped0 = await x.metric('xray_fanout_skipped_backpressure_total');
  const gen = start(['bench/loadgen.ts', JSON.stringify({ url: `ws://127.0.0.1:${x.relayPort}/ws`, agents: p.agents, namePrefix: 'slow', seconds: p.stallSeconds + 4, rate: p.rate, batch: 1, ack: false, stamp: false, traceId, pad: ' ' + 'x'.repeat(p.pad) })]);
  await gen.line((l) => l === 'sending');
  // Listen for its result line now: a slow stalled phase (GC samples) must not miss it.
  const genDone = gen.line((l) => l.startsWith('{'), (p.stallSeconds + 120) * 1000);
  await sleep(1000);
  const heapBefore = (await x.memoryAfterGc()).heapUsed;
  d.stallReading(true);
  let heapMax = heapBefore;
  const stallEnd = Date.now() + p.stallSeconds * 1000;
  while (Date.now() < stallEnd) {
    await sleep(Math.min(GC_SAMPLE_MS, stallEnd - Date.now()));
    heapMax = Math.max(heapMax, (await x.memoryAfterGc()).heapUsed);
  }
  const resumedAt = Date.now();
  d.stallReading(false);
  await genDone;
  await gen.stop();
  const head = (await (await fetch(`http://127.0.0.1:${x.relayPort}/healthz`)).json()).head as number;
  const deadline = Date.now() + 60_000;
  while (d.seqOf(scope) < head && Date.now() < deadline) await sleep(20);
  const caughtUpMs = Date.now() - resumedAt;
  // The log's tokens of this trace, against what the client holds.
  let logged = 0;
  const loggedText = new Map<string, string>();
  for (let after = 0; ; ) {
    const page = await (await fetch(`http://127.0.0.1:${x.relayPort}/v1/events?trace_id=${traceId}&kind=token&after=${after}&limit=5000`)).json();
    for (const e of page.events) {
      logged++;
      loggedText.set(e.agent, (loggedText.get(e.agent) ?? '') + e.data.text);
    }
    after = page.next_after;
    if (!page.more) break;
  }
  const stream = d.streams.get(scopeKey(scope));
  const clientTokens = stream?.tokens ?? 0;
  // Exactly the same text per agent, in the same order.
  const identical = [...loggedText].every(([agent, text]) => stream?.spans.get(`${traceId}//${agent}`)?.text === text);
  d.close();
  return {
    stall_s: p.stallSeconds,
    rate: p.rate,
    heap_growth_mb: round((heapMax - heapBefore) / 1024 / 1024, 1),
    heap_before_mb: round(heapBefore / 1024 / 1024, 1),
    catch_up_ms: caughtUpMs,
    tokens_logged: logged,
    tokens_lost: logged - clientTokens,
    text_identical: identical && clientTokens === logged,
    skipped_for_backpressure: (await x.metric('xray_fanout_skipped_backpressure_total')) - skipped0,
    gaps: d.gaps,
  };
}
