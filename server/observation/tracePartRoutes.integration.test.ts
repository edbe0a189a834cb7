/**
 * The trace page's split reads against a real relay and log: the outline without text, a
 * node's text as of a seq, text search; every bad query refused with a code, nothing else harmed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedScopeForPath } from '../auth/embedAccess';
import { postJson, startTestApi, startTestRelay } from '../testing/harness';

const T = '7'.repeat(32);
const ROOT = '0000000000000001';
const CHILD = '0000000000000002';
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let api: Awaited<ReturnType<typeof startTestApi>>;

beforeAll(async () => {
  relay = await startTestRelay();
  api = await startTestApi(relay);
  const frames = [
    { type: 'span.start', trace_id: T, span_id: ROOT, name: 'plan' },
    { type: 'token', trace_id: T, span_id: ROOT, text: 'Plan: ' },
    { type: 'token', trace_id: T, span_id: ROOT, text: 'look it up.' },
    { type: 'span.start', trace_id: T, span_id: CHILD, parent_span_id: ROOT, name: 'lookup' },
    { type: 'token', trace_id: T, span_id: CHILD, text: 'Searching the index' },
    { type: 'span.end', trace_id: T, span_id: CHILD, status: 'ok' },
    { type: 'span.end', trace_id: T, span_id: ROOT, status: 'ok' },
  ];
  const r = await postJson(`${relay.url}/v1/frames`, frames, { 'x-agent-name': 'planner' });
  expect(r.status).toBeLessThan(300);
});
afterAll(async () => {
  await api?.close();
  await relay?.close();
});

const get = async (path: string) => {
  const res = await fetch(`${api.url}${path}`);
  return { status: res.status, body: await res.json() };
};

describe('GET /api/traces/:id/outline, /text, /search', () => {
  it('[V10] the outline has the structure and no text; the text and search answer as of its seq', async () => {
    const { status, body: outline } = await get(`/api/traces/${T}/outline`);
    expect(status).toBe(200);
    expect(outline.outline).toBe(true);
    expect(outline.order).toEqual([ROOT, CHILD]);
    expect(outline.nodes[ROOT].text).toBe('');
    expect(outline.nodes[ROOT].textChars).toBe('Plan: look it up.'.length);
    expect(outline.first).toEqual({ id: ROOT, text: 'Plan: look it up.', chars: 17, truncated: false });
    const text = await get(`/api/traces/${T}/text?id=${CHILD}&id=${ROOT}&as_of=${outline.headSeq}&max=6`);
    expect(text.status).toBe(200);
    expect(text.body).toEqual({
      as_of: outline.headSeq,
      texts: [
        { id: CHILD, text: 'Search', chars: 19, truncated: true },
        { id: ROOT, text: 'Plan: ', chars: 17, truncated: true },
      ],
    });
    expect((await get(`/api/traces/${T}/search?q=INDEX`)).body.ids).toEqual([CHILD]);
    // A seq before the trace's last token: that token is not in the text.
    const early = await get(`/api/traces/${T}/text?id=${ROOT}&as_of=${outline.headSeq - 5}`);
    expect(early.body.texts[0].text).toBe('Plan: ');
  });

  it('[G6] bad ids, too many ids, bad seqs and bad queries are refused with invalid_message; unknown traces are 404', async () => {
    for (const path of [
      `/api/traces/${T}/text`,
      `/api/traces/${T}/text?id=nothex`,
      `/api/traces/${T}/text?id=${ROOT}&as_of=-1`,
      `/api/traces/${T}/text?id=${ROOT}&max=0`,
      `/api/traces/${T}/text?${Array.from({ length: 33 }, () => `id=${ROOT}`).join('&')}`,
      `/api/traces/${T}/text?id=stream:${'x'.repeat(300)}`,
      `/api/traces/${T}/search`,
      `/api/traces/${T}/search?q=${'q'.repeat(201)}`,
      `/api/traces/${T}/search?q=a%00b`,
      `/api/traces/nothex/outline`,
    ]) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(r.body.error.code, path).toBe('invalid_message');
    }
    expect((await get(`/api/traces/${'9'.repeat(32)}/outline`)).status).toBe(404);
    expect((await get(`/api/traces/${'9'.repeat(32)}/text?id=${ROOT}`)).status).toBe(404);
    // A stream node id names an agent, as the relay accepts them (hostile names are data).
    expect((await get(`/api/traces/${T}/text?id=stream:__proto__`)).body.texts[0]).toEqual({ id: 'stream:__proto__', text: '', chars: 0, truncated: false });
    // Still serving.
    expect((await get(`/api/traces/${T}/outline`)).status).toBe(200);
  });

  it('[G7] an embed token scoped to a trace may read its outline, text and search, nothing else', () => {
    for (const part of ['', '/timeline', '/outline', '/text', '/search']) expect(embedScopeForPath(`/api/traces/${T}${part}`)).toBe(`trace:${T}`);
    expect(embedScopeForPath(`/api/traces/${T}/other`)).toBeNull();
  });

  it('[V8] a trace that grows: the outline, the whole tree and the replay timeline each catch up with exactly the new events', async () => {
    const G = '8'.repeat(32);
    const post = async (frames: object[]) => expect((await postJson(`${relay.url}/v1/frames`, frames, { 'x-agent-name': 'grower' })).status).toBeLessThan(300);
    await post([{ type: 'span.start', trace_id: G, span_id: ROOT, name: 'plan' }, ...['a', 'b', 'c'].map((text) => ({ type: 'token', trace_id: G, span_id: ROOT, text }))]);
    const first = { outline: await get(`/api/traces/${G}/outline`), tree: await get(`/api/traces/${G}`), timeline: await get(`/api/traces/${G}/timeline`) };
    expect(first.outline.body.tokens).toBe(3);
    expect(first.tree.body.nodes[ROOT].text).toBe('abc');
    expect(first.timeline.body.tokens).toHaveLength(3);
    // Each read built its view once; now the trace grows twice, and each read after it continues.
    for (const [round, texts] of [['1', ['d', 'e']], ['2', ['f']]] as const) {
      await post([...texts.map((text) => ({ type: 'token', trace_id: G, span_id: ROOT, text })), { type: 'span.start', trace_id: G, span_id: `000000000000001${round}`, parent_span_id: ROOT, name: `step ${round}` }]);
      const outline = (await get(`/api/traces/${G}/outline`)).body;
      const tree = (await get(`/api/traces/${G}`)).body;
      const timeline = (await get(`/api/traces/${G}/timeline`)).body;
      const all = round === '1' ? 'abcde' : 'abcdef';
      expect(outline.tokens).toBe(all.length);
      expect(outline.first).toMatchObject({ id: ROOT, text: all });
      expect(outline.order).toEqual([ROOT, '0000000000000011', ...(round === '2' ? ['0000000000000012'] : [])]);
      expect(tree.nodes[ROOT].text).toBe(all);
      expect(tree.nodes[ROOT].children).toEqual(outline.order.slice(1));
      expect(timeline.tokens.map((t: [string, number, number]) => t[2])).toEqual([...all].map(() => 1));
    }
  });
});
