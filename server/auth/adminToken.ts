/**
 * The admin token: ADMIN_TOKEN from the environment, or one generated on first start and
 * kept in the data dir with 0600 permissions. Only a freshly generated token is printed (once).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const MIN_ADMIN_TOKEN = 16;

export interface AdminToken {
  token: string;
  source: 'env' | 'generated' | 'file';
  file: string | null;
}

export function resolveAdminToken(dataDir: string, fromEnv: string | undefined): AdminToken {
  if (fromEnv) return { token: fromEnv, source: 'env', file: null };
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'admin-token');
  if (fs.existsSync(file)) {
    fs.chmodSync(file, 0o600);
    const token = fs.readFileSync(file, 'utf8').trim();
    // A hand-edited short token would be guessable: refuse to start, as for ADMIN_TOKEN.
    if (token.length < MIN_ADMIN_TOKEN) throw new Error(`the admin token in ${file} must be at least ${MIN_ADMIN_TOKEN} characters`);
    return { token, source: 'file', file };
  }
  const token = crypto.randomBytes(24).toString('base64url');
  fs.writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
  return { token, source: 'generated', file };
}

/** Constant-time comparison of secrets of any length (hash first so lengths do not leak). */
export function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}
