import { expect, it } from 'vitest';
import { checkEmbedToken, embedAllows, embedScopeForPath } from './embedAccess';
import { TokenSigner } from './signedToken';

const T = 'c'.repeat(32);
const signer = new TokenSigner('admin-token-for-embeds');

it('maps embed pages and their API reads to scopes', () => {
  expect(embedScopeForPath(`/embed/trace/${T}`)).toBe(`trace:${T}`);
  expect(embedScopeForPath('/embed/swarm')).toBe('swarm');
  expect(embedScopeForPath(`/api/traces/${T}`)).toBe(`trace:${T}`);
  expect(embedScopeForPath(`/api/traces/${T}/timeline`)).toBe(`trace:${T}`);
  expect(embedScopeForPath('/api/agents')).toBeNull();
  expect(embedScopeForPath('/embed/trace/xyz')).toBeNull();
});

it('accepts only a valid, unexpired embed token of the exact scope', () => {
  const ok = signer.issue('embed', 60, `trace:${T}`);
  expect(checkEmbedToken(signer, ok, `trace:${T}`)).toEqual({ ok: true, scope: `trace:${T}` });
  expect(checkEmbedToken(signer, ok, 'swarm')).toEqual({ ok: false, reason: 'wrong_scope' });
  expect(checkEmbedToken(signer, signer.issue('session', 60), 'swarm')).toEqual({ ok: false, reason: 'wrong_scope' });
  expect(checkEmbedToken(signer, signer.issue('embed', 60, 'swarm', Date.now() - 3600_000), 'swarm')).toEqual({ ok: false, reason: 'expired' });
  expect(checkEmbedToken(signer, `${ok.slice(0, -3)}abc`, `trace:${T}`)).toEqual({ ok: false, reason: 'bad_signature' });
  expect(checkEmbedToken(signer, null, 'swarm')).toEqual({ ok: false, reason: 'missing' });
});

it('limits an embed socket to its own scope', () => {
  expect(embedAllows('swarm', { kind: 'overview' })).toBe(true);
  expect(embedAllows('swarm', { kind: 'agent', name: 'x' })).toBe(false);
  expect(embedAllows(`trace:${T}`, { kind: 'trace', traceId: T })).toBe(true);
  expect(embedAllows(`trace:${T}`, { kind: 'trace', traceId: 'd'.repeat(32) })).toBe(false);
});
