import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { EventOf } from '../lib/protocol/events';
import { startTestRelay } from '../server/testing/harness';

it('the README’s SDK example runs against the relay and leaves one complete trace', async () => {
  const relay = await startTestRelay();
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'example-agent.ts')], { env: { ...process.env, RELAY: relay.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code, out).toBe(0);
    expect(out).toContain('answer: In short: agents stream tokens and traces join calls.');
    const traceId = /trace: {2}([0-9a-f]{32})/.exec(out)![1];
    const events = (await relay.log.read({ traceId }));
    expect(events.filter((e) => e.kind === 'call.request').map((e) => `${e.agent}->${e.peer}`)).toEqual(['rest->summarizer-1', 'summarizer-1->librarian']);
    expect((events.filter((e) => e.kind === 'token') as EventOf<'token'>[]).map((e) => e.data.text).join('')).toBe('In short: agents stream tokens and traces join calls.');
  } finally {
    await relay.close();
  }
});
