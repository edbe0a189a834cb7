import { describe, expect, it } from 'vitest';
import { ev } from '../testing/eventLogContract';
import { SqliteEventLog } from '../store/sqliteEventLog';
import { buildTrace } from '../../lib/trace/buildTrace';
import { TraceParts } from './traceParts';

const T = 'c'.repeat(32);
const A = '3'.repeat(16);
const B = '4'.repeat(16);

async function seeded() {
  const log = SqliteEventLog.inMemory();
  await log.append([
    ev({ kind: 'span.start', trace_id: T, span_id: A, data: { name: 'plan', attributes: {} } }),
    ...Array.from({ length: 1200 }, (_, i) => ev({ kind: 'token', trace_id: T, span_id: A, data: { text: `${i} ` } })),
    ev({ kind: 'span.start', trace_id: T, span_id: B, parent_span_id: A, data: { name: 'tool', attributes: {} } }),
    ev({ kind: 'token', trace_id: T, span_id: B, data: { text: 'needle here' } }),
  ]);
  return log;
}

describe('TraceParts: the trace page reads the trace once per version', () => {
  it('[G6] the outline is the tree without text; the texts come from the same build, page by page', async () => {
    const log = await seeded();
    const parts = new TraceParts(log, null, { pageEvents: 500 });
    const outline = JSON.parse((await parts.outline(T))!);
    const full = buildTrace(T, await log.read({ traceId: T, limit: 10_000 }));
    expect(outline.order).toEqual(full.order);
    expect(outline.nodes[A].text).toBe('');
    expect(outline.nodes[A].textChars).toBe(full.nodes[A].text.length);
    const texts = await parts.texts(T, outline.headSeq);
    expect(texts!.texts.get(A)).toBe(full.nodes[A].text);
    // Served from the outline's build: no second fold of the trace.
    expect(parts.stats).toEqual({ textBuilds: 0, textHits: 1 });
    expect(parts.reads.stats.builds).toBe(1);
    expect(await parts.search(T, outline.headSeq, 'NEEDLE')).toEqual([B]);
  });

  it('[G4] text as of an older seq leaves out what came after it (the page streams that part), and a later seq sees it', async () => {
    const log = await seeded();
    const parts = new TraceParts(log, null, { pageEvents: 500 });
    const outline = JSON.parse((await parts.outline(T))!);
    const origin = outline.headSeq as number;
    await log.append([ev({ kind: 'token', trace_id: T, span_id: B, data: { text: ' and more' } })]);
    // As of the page's origin: exactly the text up to it, even though the trace grew.
    expect((await parts.texts(T, origin))!.texts.get(B)).toBe('needle here');
    // The outline refetched after growth, and a text as of the new head, include the new token.
    const grown = JSON.parse((await parts.outline(T))!);
    expect(grown.nodes[B].textChars).toBe('needle here and more'.length);
    expect((await parts.texts(T, (await log.head())))!.texts.get(B)).toBe('needle here and more');
    // The old origin still answers the old text (its own entry), never the grown one.
    expect((await parts.texts(T, origin))!.texts.get(B)).toBe('needle here');
    // With nothing cached (another server, or evicted), a build reads only up to the origin.
    const cold = new TraceParts(log, null, { pageEvents: 500 });
    expect((await cold.texts(T, origin))!.texts.get(B)).toBe('needle here');
    expect(cold.stats.textBuilds).toBe(1);
  });

  it('[G4] texts built at the last seq serve a later seq when the trace has nothing newer (one probe), not when it has', async () => {
    const log = await seeded();
    const parts = new TraceParts(log, null);
    const outline = JSON.parse((await parts.outline(T))!);
    await log.append([ev({ kind: 'token', trace_id: 'd'.repeat(32), span_id: A, data: { text: 'other trace' } })]);
    expect((await parts.texts(T, (await log.head())))!.lastSeq).toBe(outline.headSeq);
    expect(parts.stats.textBuilds).toBe(0);
    expect(await parts.texts('e'.repeat(32), (await log.head()))).toBeNull();
  });
});
