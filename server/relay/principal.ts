/**
 * Who is sending, as far as the relay can tell — the basis of idempotency scopes (G3) and of
 * attribution. With RELAY_KEYS set, the principal is the agent key presented (named by a
 * short hash, never the key itself); without keys nobody is authenticated and every sender
 * is the one anonymous principal, told apart only by the name it registers or declares.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const ANONYMOUS = 'anon';

export function bearerOf(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

/** The principal of a (validated) key: `key:<12 hex of its SHA-256>`, or `anon` when keys are off. */
export function principalOf(key: string | undefined, keysRequired: boolean): string {
  if (!keysRequired || !key) return ANONYMOUS;
  return `key:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/**
 * The idempotency scope of one sender: its principal plus the name it sends under. Several
 * agents may share one key, so the name is part of it; a name is not proof of identity, so
 * the principal is too. `kind` keeps channels apart (an agent cannot claim OTLP span ids).
 */
export function senderScope(principal: string, kind: 'agent' | 'otlp' | 'rest', name: string): string {
  return `${principal}|${kind}:${name}`;
}
