/**
 * A runnable SDK example (quoted in the README). Two agents: a librarian that answers
 * lookups and a summarizer that asks it, then streams a summary token by token inside an
 * LLM span. Finally a plain REST call, as any orchestrator would make, and the trace id.
 *
 *   node --import tsx scripts/example-agent.ts          # against a running server (npm start / npm run demo)
 *   RELAY=http://localhost:9002 node --import tsx scripts/example-agent.ts
 */
import { XrayAgent } from '../lib/sdk/xrayAgent';

const RELAY = process.env.RELAY ?? 'http://localhost:9002';
const url = `${RELAY.replace(/^http/, 'ws')}/ws`;

const librarian = XrayAgent.connect({ url, name: 'librarian', capabilities: ['lookup'] });
librarian.handle('lookup', async (query) => JSON.stringify({ query, facts: ['agents stream tokens', 'traces join calls'] }));

const summarizer = XrayAgent.connect({ url, name: 'summarizer-1', capabilities: ['summarize'] });
summarizer.handle('summarize', async (payload, call) => {
  // Everything done through `call` joins the caller's Neural Trace.
  const facts = JSON.parse(await call.call('librarian', 'lookup', payload)) as { facts: string[] };
  return call.span(
    'llm.chat',
    async (span) => {
      const words = `In short: ${facts.facts.join(' and ')}.`.split(/(?= )/);
      for (const word of words) await span.token(word); // buffered, acked once durable
      return words.join('');
    },
    { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'example-model' },
  );
});

await Promise.all([librarian.ready(), summarizer.ready()]);
const res = await fetch(`${RELAY}/v1/call`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ to: 'summarizer-1', method: 'summarize', payload: 'what does x-ray record?' }),
});
const answer = (await res.json()) as { payload: string; trace_id: string };
console.log(`answer: ${answer.payload}`);
console.log(`trace:  ${answer.trace_id}  (open /trace/${answer.trace_id} on the dashboard)`);
await Promise.all([librarian.close(), summarizer.close()]);
