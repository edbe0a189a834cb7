/**
 * Writes a synthetic trace of `spans` spans × `tokensPerSpan` tokens through POST /v1/frames
 * (a binary tree of spans), in batches of at most 1,000 frames. Used by the e2e suite and the
 * benchmark to open a big trace in the browser.
 */
export async function writeBigTrace(relayHttp: string, traceId: string, spans: number, tokensPerSpan: number, agent = 'bulk-agent'): Promise<void> {
  const hex = (n: number) => n.toString(16).padStart(16, '0');
  let batch: unknown[] = [];
  const push = async (frame: unknown) => {
    batch.push(frame);
    if (batch.length === 1000) await flush();
  };
  const flush = async () => {
    if (!batch.length) return;
    const r = await fetch(`${relayHttp}/v1/frames`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-agent-name': agent }, body: JSON.stringify(batch) });
    if (!r.ok) throw new Error(`POST /v1/frames: ${r.status} ${await r.text()}`);
    batch = [];
  };
  for (let s = 1; s <= spans; s++) {
    await push({ type: 'span.start', trace_id: traceId, span_id: hex(s), ...(s > 1 ? { parent_span_id: hex(Math.floor(s / 2)) } : {}), name: `step-${s}` });
    for (let k = 0; k < tokensPerSpan; k++) await push({ type: 'token', trace_id: traceId, span_id: hex(s), index: k, text: k === 0 ? `[${s}]` : ' w' });
    await push({ type: 'span.end', trace_id: traceId, span_id: hex(s), status: 'ok' });
  }
  await flush();
}
