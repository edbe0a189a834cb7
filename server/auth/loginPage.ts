/** The login page: plain HTML served by the custom server, so it needs no session and no bundle. */
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The message for `?error=` (or a refused attempt); unknown values show the generic one. */
function errorText(error: string | null, retryAfterS?: number): string {
  if (!error) return '';
  if (error === 'rate_limited') return `Too many failed attempts from this address. Try again in ${retryAfterS ?? 'a few'} s.`;
  return 'That token is not valid.';
}

export function loginPage(next: string, error: string | null, retryAfterS?: number): string {
  const message = errorText(error, retryAfterS);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Log in · Swarm X-Ray</title>
<link rel="icon" href="/icon.svg" type="image/svg+xml">
<style>
:root{--bg:#0d1117;--panel:#161b22;--border:#30363d;--text:#e6edf3;--muted:#8b949e;--accent:#58a6ff;--err:#f85149;color-scheme:dark}
@media (prefers-color-scheme: light){:root{--bg:#fff;--panel:#f6f8fa;--border:#d0d7de;--text:#1f2328;--muted:#656d76;--accent:#0969da;--err:#cf222e;color-scheme:light}}
body{margin:0;min-height:100vh;display:grid;place-items:center;background:var(--bg);color:var(--text);font:14px/1.5 system-ui,sans-serif}
form{background:var(--panel);border:1px solid var(--border);border-radius:8px;padding:28px;width:min(360px,90vw)}
h1{font-size:18px;margin:0 0 4px}h1 span{color:var(--accent)}p{color:var(--muted);margin:0 0 16px}
label{display:block;margin-bottom:6px}input{width:100%;box-sizing:border-box;padding:8px;border:1px solid var(--border);border-radius:6px;background:var(--bg);color:var(--text);font:inherit}
button{margin-top:14px;width:100%;padding:9px;border:0;border-radius:6px;background:var(--accent);color:#fff;font:inherit;font-weight:600;cursor:pointer}
.error{color:var(--err);margin:10px 0 0}
</style></head>
<body><form method="post" action="/auth/login">
<h1>Swarm <span>X-Ray</span></h1>
<p>Admins only. Paste the admin token (ADMIN_TOKEN, or the one printed at first start and kept in the data dir).</p>
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${escape(next)}">
<button type="submit">Log in</button>
${message ? `<p class="error" role="alert">${escape(message)}</p>` : ''}
</form></body></html>`;
}
