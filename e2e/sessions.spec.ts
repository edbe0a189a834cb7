import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { loginAndOpen } from './login';
import { relayHttp } from './testAgents';

/** Two turns of one conversation exported as OTLP/JSON (GenAI conventions), as an instrumented app would. */
async function exportConversation(sessionId: string): Promise<string[]> {
  const traces = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
  const now = Date.now();
  const attr = (key: string, v: string | number) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } });
  for (const [i, traceId] of traces.entries()) {
    const start = BigInt(now + i * 400) * 1_000_000n;
    const root = randomBytes(8).toString('hex');
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [attr('service.name', 'e2e-chat-app')] },
          scopeSpans: [
            {
              spans: [
                { traceId, spanId: root, name: `invoke_agent concierge turn ${i + 1}`, kind: 1, startTimeUnixNano: String(start), endTimeUnixNano: String(start + 300_000_000n), attributes: [attr('gen_ai.operation.name', 'invoke_agent'), attr('gen_ai.agent.name', 'e2e-concierge'), attr('gen_ai.conversation.id', sessionId)], status: { code: 1 } },
                { traceId, spanId: randomBytes(8).toString('hex'), parentSpanId: root, name: 'chat gpt-4o-mini', kind: 3, startTimeUnixNano: String(start + 10_000_000n), endTimeUnixNano: String(start + 250_000_000n), attributes: [attr('gen_ai.operation.name', 'chat'), attr('gen_ai.request.model', 'gpt-4o-mini'), attr('gen_ai.usage.input_tokens', 1200), attr('gen_ai.usage.output_tokens', 300)], status: { code: 1 } },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`${relayHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  }
  return traces;
}

test('[V4] sessions: the list, a deep-linked session timeline with usage and cost, a trace back to its session, tokens in the traces list, and an unknown session', async ({ page }) => {
  const sessionId = `e2e-conv-${Date.now()}`;
  const traces = await exportConversation(sessionId);

  await loginAndOpen(page, '/sessions');
  const row = page.getByTestId('session-row').filter({ hasText: sessionId });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('e2e-concierge');
  await row.getByRole('link').click();
  await page.waitForURL(`**/session/${sessionId}`);

  await expect(page.getByTestId('session-id')).toHaveText(sessionId);
  const turns = page.getByTestId('session-trace');
  await expect(turns).toHaveCount(2);
  await expect(turns.first()).toContainText('turn 1');
  await expect(turns.nth(1)).toContainText('turn 2');
  // 2 × (1,200 in, 300 out) on gpt-4o-mini.
  await expect(page.getByTestId('session-usage')).toContainText('2,400 in · 600 out');
  await expect(page.getByTestId('session-usage')).toContainText('$');
  await expect(page.getByRole('table', { name: 'by model' })).toContainText('gpt-4o-mini');
  await page.screenshot({ path: test.info().outputPath('session.png') });

  // A turn opens its trace, whose header links back to the session and shows its usage.
  await turns.first().getByRole('link').click();
  await page.waitForURL(`**/trace/${traces[0]}`);
  await expect(page.getByTestId('trace-usage')).toContainText('1,200 in · 300 out');
  await expect(page.getByTestId('trace-session')).toHaveText(`session ${sessionId}`);

  // The traces list shows each trace's tokens.
  await page.goto('/traces');
  await page.getByLabel('Agent').fill('e2e-concierge');
  const traceRow = page.getByTestId('trace-row').filter({ hasText: traces[1] });
  await expect(traceRow.getByTestId('trace-row-tokens')).toHaveText('1,500');

  // A deep link to a session nobody recorded says so instead of showing a blank page.
  await page.goto('/session/no-such-session-here');
  await expect(page.getByTestId('session-error')).toContainText('No session');
});
